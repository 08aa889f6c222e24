package miniredis

// The limits a Connection enforces on what a peer sends. They follow
// Redis 7's defaults where Redis has one. No limit is ever allocated up
// front: a declared length only caps what may arrive, and memory grows
// with the bytes that actually do, to at most 1.25 times them while a
// value is on its way (see readBulk).
const (
	// MaxBulkLen is the largest bulk string accepted, Redis's
	// proto-max-bulk-len (512 MiB).
	MaxBulkLen = 512 << 20

	// MaxArrayLen is the most elements an array may declare.
	MaxArrayLen = 1 << 20

	// MaxInlineLen is the longest inline request, and the longest
	// length line ("*3", "$5"), Redis's PROTO_INLINE_MAX_SIZE (64 KiB).
	MaxInlineLen = 64 << 10

	// MaxDepth is how deeply arrays may nest inside a reply. Requests
	// never nest: their elements must be bulk strings.
	MaxDepth = 32

	// ReadBufferSize is how much a Connection asks the socket for at a
	// time, the 16 KiB Redis reads with.
	ReadBufferSize = 16 << 10

	// WriteBufferSize is how many reply bytes a Connection gathers before
	// it must write them out.
	WriteBufferSize = 16 << 10
)

// ProtocolError reports a request that breaks RESP. Reason uses Redis's
// own words where Redis has them ("invalid bulk length"). A server
// Connection has already answered the client with
// "-ERR Protocol error: <reason>" when ReadFrame returns one; the stream
// cannot be trusted after it, so the only thing left to do is close.
type ProtocolError struct {
	Reason string
}

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Reason }
