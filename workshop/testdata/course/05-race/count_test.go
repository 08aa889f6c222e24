package race

import "testing"

func TestCount(t *testing.T) {
	if got := Count(); got != 2 {
		t.Errorf("Count() = %d, want 2", got)
	}
}
