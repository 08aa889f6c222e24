//go:build exercise

package hang

// Wait never returns in the stub.
func Wait() { select {} }
