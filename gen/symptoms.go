package gen

// The symptoms several stacks' causes share: the browser's console words
// (Chromium's, as the causes have quoted them) and what a too-wide policy
// looks like.
const (
	// symptomNotOK is the console's words for a preflight answered with a
	// status outside 200-299.
	symptomNotOK = "'Response to preflight request doesn't pass access control check: It does not have HTTP ok status'"
	// symptomWildcardCredentials is the console's words for * answered to
	// a credentialed request.
	symptomWildcardCredentials = "'The value of the Access-Control-Allow-Origin header in the response must not be the wildcard '*' when the request's credentials mode is 'include''"
	// symptomWildcardCredentialsEnd is the end of them, as the platforms'
	// causes quote it.
	symptomWildcardCredentialsEnd = "'must not be the wildcard '*' when the request's credentials mode is 'include''"
	// symptomMultipleOrigins is the console's words for two
	// Access-Control-Allow-Origin values.
	symptomMultipleOrigins = "'The Access-Control-Allow-Origin header contains multiple values'"
	// symptomOtherOrigins is what a fixed Access-Control-Allow-Origin shows
	// the origins it does not name.
	symptomOtherOrigins = "'The Access-Control-Allow-Origin header has a value that is not equal to the supplied origin' from every other origin"
	// symptomAnySite is the symptom of a policy that reflects every origin
	// with credentials.
	symptomAnySite = "works from anywhere, which is the problem: any site reads your users' data"
)
