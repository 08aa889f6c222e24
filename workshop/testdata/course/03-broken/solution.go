//go:build !exercise

package broken

// Name is the reference solution.
func Name() string { return "broken" }
