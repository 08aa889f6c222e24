package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArc(t *testing.T) {
	t.Run("many goroutines read one value through a pointer", func(t *testing.T) {
		m := &motd{hello: map[string]string{"en": "Hello", "fr": "Bonjour"}, text: "Welcome."}
		names := make([]string, 100)
		for i := range names {
			names[i] = fmt.Sprint("client", i)
		}

		greetings := greetAll(m, "fr", names)

		require.Len(t, greetings, len(names))
		for i, g := range greetings {
			assert.Equal(t, "Bonjour, "+names[i]+". Welcome.", g)
		}
	})
}
