package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// This file draws a timeline in a terminal: time runs across, one line per
// goroutine, then one per client.

// glyphs are the characters of the goroutine states.
var glyphs = map[gstate]string{
	absent:    " ",
	running:   "█",
	waitNet:   "░",
	waitLock:  "▓",
	waitOther: "┈",
}

// colours are the terminal colours of the states and the client marks.
var colours = map[string]string{
	"█": "\033[32m", // green
	"░": "\033[34m", // blue
	"▓": "\033[31m", // red
	"┈": "\033[33m", // yellow
	"━": "\033[35m", // magenta
	"✓": "\033[32m",
	"✕": "\033[31m",
}

// labelWidth is the width of the column of row names.
const labelWidth = 14

// drawText writes tl as text width columns wide, coloured if colour.
func drawText(w io.Writer, tl *timeline, width int, colour bool) {
	cols := max(width-labelWidth-1, 20)
	step := tl.length / time.Duration(cols)
	if step <= 0 {
		step = 1
	}
	paint := func(cells []string) string {
		if !colour {
			return strings.Join(cells, "")
		}
		var sb strings.Builder
		for _, c := range cells {
			if code, ok := colours[c]; ok {
				sb.WriteString(code + c + "\033[0m")
			} else {
				sb.WriteString(c)
			}
		}
		return sb.String()
	}
	line := func(label string, cells []string) {
		fmt.Fprintf(w, "%-*s%s\n", labelWidth, label, strings.TrimRight(paint(cells), " "))
	}

	// The time axis: a tick every few columns, at a round number.
	tick := roundTick(tl.length / 4)
	axis := make([]string, cols)
	labels := []rune(strings.Repeat(" ", cols))
	for i := range axis {
		axis[i] = "─"
	}
	free := 0 // the first column of labels with nothing written yet
	for t := time.Duration(0); t <= tl.length; t += tick {
		i := int(t / step)
		if i >= cols {
			break
		}
		axis[i] = "┬"
		// A label that would run past the right edge ends at it instead.
		label := []rune(ms(t))
		at := min(i, cols-len(label))
		if at >= free {
			copy(labels[at:], label)
			free = at + len(label) + 1
		}
	}
	fmt.Fprintf(w, "%-*s%s\n", labelWidth, "", strings.TrimRight(string(labels), " "))
	line("", axis)

	for _, r := range tl.rows {
		cells := make([]string, cols)
		for i := range cells {
			cells[i] = glyphs[r.during(time.Duration(i)*step, time.Duration(i+1)*step)]
		}
		if tl.shutdown >= 0 {
			if i := int(tl.shutdown / step); i < cols && cells[i] == " " {
				cells[i] = "¦"
			}
		}
		if r.panicked >= 0 {
			// "panicked" after the end of the row, where there is room.
			at := min(int(r.panicked/step)+2, cols-9)
			for i, c := range "panicked" {
				if at+i >= 0 && cells[at+i] == " " {
					cells[at+i] = string(c)
				}
			}
		}
		line("  "+r.name, cells)
		// A goroutine that serves clients in turn (01's accept loop) gets
		// a line saying which one, when.
		if len(r.serves) > 1 || (len(r.serves) == 1 && r.name != "conn "+r.serves[0].client) {
			who := make([]string, cols)
			for i := range who {
				who[i] = " "
			}
			for _, sv := range r.serves {
				for i := int(sv.from / step); i < cols && time.Duration(i)*step < sv.to; i++ {
					who[i] = "─"
				}
			}
			// Each client's letter where its turn starts; letters that
			// would share a column move left, the last one to the edge.
			limit := cols - 1
			for i := len(r.serves) - 1; i >= 0; i-- {
				at := max(min(int(r.serves[i].from/step), limit), 0)
				who[at] = r.serves[i].client
				limit = at - 1
			}
			line("   serving", who)
		}
	}
	for _, c := range tl.clients {
		line("  client "+c.name, clientCells(c, tl, cols, step))
	}
}

// clientCells draws a client: ● it connects, · it is connected and says
// nothing, ━ it waits for a reply, ✓ the reply comes, ✕ it hangs up.
func clientCells(c *client, tl *timeline, cols int, step time.Duration) []string {
	cells := make([]string, cols)
	end := tl.length
	if c.hungUp >= 0 {
		end = c.hungUp
	}
	col := func(t time.Duration) int { return min(int(t/step), cols-1) }
	for i := range cells {
		cells[i] = " "
		t := time.Duration(i) * step
		if t+step > c.connected && t <= end {
			cells[i] = "·"
		}
	}
	for _, req := range c.requests {
		to := req.answered
		if to < 0 {
			to = end
		}
		for i := col(req.sent); i <= col(to); i++ {
			cells[i] = "━"
		}
	}
	cells[col(c.connected)] = "●"
	if c.hungUp >= 0 {
		cells[col(c.hungUp)] = "✕"
	}
	// An answer and a hang-up in one column show the answer.
	for _, req := range c.requests {
		if req.answered >= 0 {
			cells[col(req.answered)] = "✓"
		}
	}
	return cells
}

// legend explains the characters of drawText.
const legend = `goroutines: █ running  ░ waiting on the network  ▓ waiting for a lock
            ┈ waiting on something else: a WaitGroup, a channel, a timer
clients:    ● connects  · connected, silent  ━ waiting for a reply
            ✓ answered  ✕ hangs up, or is closed by the server`

// roundTick is the round duration nearest above d: 1, 2 or 5 times a
// power of ten, in milliseconds or below.
func roundTick(d time.Duration) time.Duration {
	for unit := time.Microsecond; ; unit *= 10 {
		for _, m := range []time.Duration{1, 2, 5} {
			if m*unit >= d {
				return m * unit
			}
		}
	}
}

// ms writes d in milliseconds, with a decimal only below 10 ms.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f == 0:
		return "0"
	case f < 1:
		return fmt.Sprintf("%.2f ms", f)
	case f < 10:
		return fmt.Sprintf("%.1f ms", f)
	}
	return fmt.Sprintf("%.0f ms", f)
}
