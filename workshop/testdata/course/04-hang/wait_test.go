package hang

import "testing"

func TestWait(t *testing.T) {
	Wait()
}
