//go:build bonus

package fail

import "testing"

func TestBonusSum(t *testing.T) {
	if got := Double(1) + Double(1); got != 4 {
		t.Errorf("Double(1) + Double(1) = %d, want 4", got)
	}
}
