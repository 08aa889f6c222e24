// Package miniredis is the small Redis toolkit every chapter imports, the
// Go counterpart of the mini-redis crate the Tokio tutorial leans on.
//
// It speaks RESP, the Redis protocol: Frame is one value on the wire,
// Connection reads and writes frames over a net.Conn, Command turns a
// request into Get, Set, Ping or Unknown, and Client is a minimal client.
// Listener keeps a server accepting when the process runs out of file
// descriptors and refuses clients past a limit; Conns lets a server shut
// down gracefully. DebugFlag gives the servers -debug, pprof and live
// counters over HTTP, and a Connection notes on an execution trace which
// client its goroutine serves (trace.go). The chapters teach the server
// around these; nothing here is the lesson.
//
// Read frame.go first, then connection.go. The package miniredistest holds
// the helpers the chapters' tests share.
package miniredis
