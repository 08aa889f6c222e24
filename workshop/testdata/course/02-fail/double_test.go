package fail

import "testing"

func TestZero(t *testing.T) {
	if Double(0) != 0 {
		t.Fatal("Double(0) is not 0")
	}
}

func TestDouble(t *testing.T) {
	t.Run("two is doubled to four", func(t *testing.T) {
		t.Log("calling Double(2)")
		if got := Double(2); got != 4 {
			t.Errorf("Double(2) = %d, want 4: does Double multiply by two?", got)
		}
	})
	t.Run("three is doubled to six", func(t *testing.T) {
		if got := Double(3); got != 6 {
			t.Errorf("Double(3) = %d, want 6", got)
		}
	})
}
