//go:build bonus

package fail

import "testing"

func TestBonusTriple(t *testing.T) {
	if got := Triple(2); got != 6 {
		t.Errorf("Triple(2) = %d, want 6", got)
	}
}
