package miniredis

import (
	"errors"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListen(t *testing.T) {
	first, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { first.Close() })
	addr := first.Addr().String()

	t.Run("a second Listen on the same address is EADDRINUSE and says what to do", func(t *testing.T) {
		second, err := Listen(addr)
		if second != nil {
			second.Close()
		}
		require.Error(t, err)
		assert.True(t, errors.Is(err, syscall.EADDRINUSE), "got %v", err)
		assert.Contains(t, err.Error(), "already listening on "+addr)
		assert.Contains(t, err.Error(), "-addr")
	})

	t.Run("other errors are returned as net.Listen returns them", func(t *testing.T) {
		_, err := Listen("127.0.0.1:notaport")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "-addr")
	})
}
