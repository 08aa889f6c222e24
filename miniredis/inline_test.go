package miniredis

import (
	"strings"
	"testing"
	"time"

	"example.com/spawning/miniredis/miniredistest"
	"github.com/stretchr/testify/assert"
)

// The expected words below follow Redis's sdssplitargs, and the cases that
// reach a server were checked against redis-server 7.0.15.
func TestSplitArgs(t *testing.T) {
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"words are split on spaces", "SET hello world", []string{"SET", "hello", "world"}},
		{"runs of spaces and tabs separate words too", "  GET \t a  ", []string{"GET", "a"}},
		{"an empty line has no words", "", nil},
		{"a line of blanks has no words", " \t\v\f ", nil},
		{"double quotes keep spaces inside one word", `SET k "a b"`, []string{"SET", "k", "a b"}},
		{"double quotes take hex escapes and \\n", `"\x41\n"`, []string{"A\n"}},
		{"hex escapes are case-insensitive", `"\x4a\x4A"`, []string{"JJ"}},
		{"double quotes take \\r \\t \\b \\a", `"\r\t\b\a"`, []string{"\r\t\b\a"}},
		{"a backslash before any other byte stands for that byte", `"\"q\" \\ \z"`, []string{`"q" \ z`}},
		{"an incomplete hex escape is a plain escaped x", `"\x4"`, []string{"x4"}},
		{"single quotes keep backslashes", `'a\nb'`, []string{`a\nb`}},
		{"single quotes take \\' as a quote", `'it\'s'`, []string{"it's"}},
		{"empty quotes are an empty word", `SET k ""`, []string{"SET", "k", ""}},
		{"empty single quotes are an empty word", `''`, []string{""}},
		{"a quote may open in the middle of a word", `a"b c"`, []string{"ab c"}},
		{"a closing quote may end the line", `"a"`, []string{"a"}},
		{"outside quotes a backslash is literal", `\x41`, []string{`\x41`}},
		{"a trailing CR is a blank", "GET a\r", []string{"GET", "a"}},
		{"NUL is an ordinary byte", "a\x00b", []string{"a\x00b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			words, ok := splitArgs([]byte(tt.line))
			assert.True(t, ok)
			var got []string
			for _, w := range words {
				got = append(got, string(w))
			}
			assert.Equal(t, tt.want, got)
		})
	}

	unbalanced := []struct {
		name string
		line string
	}{
		{"an unterminated double quote", `SET "a b`},
		{"an unterminated single quote", `SET 'a b`},
		{"a double quote closed in the middle of a word", `"a"b`},
		{"a single quote closed in the middle of a word", `'a'b`},
		{"a backslash escaping the closing quote", `"a\"`},
		{"a lone double quote", `"`},
	}
	for _, tt := range unbalanced {
		t.Run(tt.name+" is unbalanced", func(t *testing.T) {
			words, ok := splitArgs([]byte(tt.line))
			assert.False(t, ok)
			assert.Nil(t, words)
		})
	}
}

func TestInlineCommandsOverTheWire(t *testing.T) {
	addr := serveFrames(t, echo)
	// The echo server sends back each request it read as an array of bulk
	// strings, so each expectation is exactly what the inline line parsed
	// to. A request that is skipped produces no reply at all, which the PING
	// sent after it proves: replies come in order.
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"SET hello world is three words", "SET hello world\r\n", miniredistest.Command("SET", "hello", "world")},
		{"a line ending in LF alone is accepted", "PING\n", miniredistest.Command("PING")},
		{"quotes and escapes are applied", `SET k "a b" "\x41\n" 'it\'s'` + "\r\n", miniredistest.Command("SET", "k", "a b", "A\n", "it's")},
		{"a lone LF is skipped", "\nPING\r\n", miniredistest.Command("PING")},
		{"empty and blank lines are skipped", "\r\n\r\n  \t \r\nPING\r\n", miniredistest.Command("PING")},
		{"an empty array is skipped", "*0\r\nPING\r\n", miniredistest.Command("PING")},
		{"a null array is skipped", "*-1\r\nPING\r\n", miniredistest.Command("PING")},
		{"inline and array requests may be mixed in one write", "GET a\r\n" + miniredistest.Command("GET", "b") + "GET c\r\n",
			miniredistest.Command("GET", "a") + miniredistest.Command("GET", "b") + miniredistest.Command("GET", "c")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := miniredistest.Dial(t, addr)
			client.Send(tt.input)
			client.Expect(tt.want)
		})
	}

	t.Run("skipped input alone gets no reply at all", func(t *testing.T) {
		client := miniredistest.Dial(t, addr)
		client.Send("\r\n\n*0\r\n*-1\r\n" + strings.Repeat(" ", 10) + "\r\n")
		// The only way to see that nothing comes is to wait a little; a
		// wrong reply would be sent at once, long before this runs out.
		client.ExpectSilence(50 * time.Millisecond)
	})
}
