package gen

// ReadAWSCors is readAWSCors, for the schema tests of gen_test.
var ReadAWSCors = readAWSCors

// AWSCorsObject is awsCorsObject, for the schema tests of gen_test.
type AWSCorsObject = awsCorsObject
