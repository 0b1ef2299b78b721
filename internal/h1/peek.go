package h1

// peekResult is what peek saw on a connection.
type peekResult int

const (
	peekUnknown peekResult = iota // the system cannot say
	peekEmpty                     // open, nothing to read
	peekData                      // bytes wait to be read
	peekClosed                    // the peer closed or reset the connection
)
