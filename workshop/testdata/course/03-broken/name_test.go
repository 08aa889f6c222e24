package broken

import "testing"

func TestName(t *testing.T) {
	if Name() != "broken" {
		t.Fatal("wrong name")
	}
}
