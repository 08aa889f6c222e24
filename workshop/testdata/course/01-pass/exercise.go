//go:build exercise

package pass

// Answer is already right in the stub.
func Answer() int { return 42 }
