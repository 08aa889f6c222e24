//go:build exercise

package broken

// Name does not compile in the stub.
func Name() string {
	return 42
}
