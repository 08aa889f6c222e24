package main

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"
)

// This file draws a timeline as an SVG picture, by hand: a few rectangles,
// lines and words are all it takes, so no plotting library is needed.

// fills are the colours of the goroutine states.
var fills = map[gstate]string{
	running:   "#2f9e44",
	waitNet:   "#a5c8f0",
	waitLock:  "#e03131",
	waitOther: "#f2c14e",
}

const (
	svgWidth  = 900
	svgLeft   = 120 // where the time axis starts
	svgRight  = 40
	rowHeight = 24
)

// drawSVG writes tl as an SVG picture, with its title, the story of the
// scenario and the claim the run bears out.
func drawSVG(w io.Writer, tl *timeline, title, story, claim string) {
	plot := float64(svgWidth - svgLeft - svgRight)
	x := func(t time.Duration) float64 {
		if tl.length <= 0 {
			return svgLeft
		}
		return svgLeft + plot*float64(t)/float64(tl.length)
	}
	var body strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&body, format+"\n", args...) }
	esc := html.EscapeString

	y := 28
	p(`<text x="12" y="%d" class="title">%s</text>`, y, esc(title))
	y += 20
	for _, line := range wrap(story, 130) {
		p(`<text x="12" y="%d">%s</text>`, y, esc(line))
		y += 17
	}
	y += 13

	// The time axis.
	tick := roundTick(tl.length / 5)
	p(`<line x1="%d" y1="%d" x2="%.1f" y2="%d" class="axis"/>`, svgLeft, y, x(tl.length), y)
	for t := time.Duration(0); t <= tl.length; t += tick {
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="axis"/>`, x(t), y-4, x(t), y+4)
		p(`<text x="%.1f" y="%d" class="tick">%s</text>`, x(t), y-8, ms(t))
	}
	p(`<text x="12" y="%d" class="small">time →</text>`, y+4)
	y += 16
	top := y

	section := func(name string) {
		p(`<text x="12" y="%d" class="section">%s</text>`, y+14, name)
		y += 20
	}
	section("server goroutines")
	for _, r := range tl.rows {
		p(`<text x="20" y="%d">%s</text>`, y+16, esc(r.name))
		// Waits first, then runs over them, so that a run of a few
		// microseconds stays visible as a thin green line.
		for _, pass := range []bool{false, true} {
			for _, s := range r.spans {
				if (s.state == running) != pass || s.state == absent {
					continue
				}
				x0, x1 := x(s.from), x(s.to)
				minWidth := 0.0
				if s.state == running {
					minWidth = 1.5
				}
				if x1-x0 < minWidth {
					x1 = x0 + minWidth
				}
				if x1-x0 < 0.2 {
					continue
				}
				p(`<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s"/>`, x0, y+4, x1-x0, rowHeight-8, fills[s.state])
			}
		}
		switch {
		case r.panicked >= 0 && r.ended >= 0:
			p(`<text x="%.1f" y="%d" class="panic">panicked, recovered: done</text>`, x(r.panicked)+4, y+16)
		case r.panicked >= 0:
			p(`<text x="%.1f" y="%d" class="panic">panicked</text>`, x(r.panicked)+4, y+16)
		case r.ended >= 0:
			p(`<text x="%.1f" y="%d" class="small">done</text>`, x(r.ended)+4, y+16)
		}
		y += rowHeight
		if len(r.serves) > 1 || (len(r.serves) == 1 && r.name != "conn "+r.serves[0].client) {
			p(`<text x="28" y="%d" class="small">serving</text>`, y+12)
			for _, s := range r.serves {
				p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="serving"/>`, x(s.from), y+8, x(s.to), y+8)
				p(`<text x="%.1f" y="%d" class="small">%s</text>`, x(s.from)+2, y+20, esc(s.client))
			}
			y += rowHeight
		}
	}
	y += 6
	section("clients")
	for _, c := range tl.clients {
		mid := y + rowHeight/2
		p(`<text x="20" y="%d">client %s</text>`, y+16, esc(c.name))
		end := tl.length
		if c.hungUp >= 0 {
			end = c.hungUp
		}
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="silent"/>`, x(c.connected), mid, x(end), mid)
		for _, req := range c.requests {
			to := end
			if req.answered >= 0 {
				to = req.answered
			}
			p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="waiting"/>`, x(req.sent), mid, max(x(to), x(req.sent)+1.5), mid)
		}
		p(`<circle cx="%.1f" cy="%d" r="4" class="connect"/>`, x(c.connected), mid)
		if c.hungUp >= 0 {
			p(`<text x="%.1f" y="%d" class="hangup">✕</text>`, x(c.hungUp), mid+5)
		}
		for _, req := range c.requests {
			if req.answered >= 0 {
				p(`<text x="%.1f" y="%d" class="answer">✓</text>`, x(req.answered), mid-6)
			}
		}
		y += rowHeight
	}
	if tl.shutdown >= 0 {
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="shutdown"/>`, x(tl.shutdown), top, x(tl.shutdown), y)
		p(`<text x="%.1f" y="%d" class="small">shutdown</text>`, x(tl.shutdown)+3, top+10)
	}

	// The legend and the claim.
	y += 16
	lx := 12.0
	for _, item := range []struct {
		s    gstate
		text string
	}{{running, "running"}, {waitNet, "waiting on the network"}, {waitLock, "waiting for a lock"}, {waitOther, "waiting on something else: a WaitGroup, a channel, a timer"}} {
		width := 28 + 7.2*float64(len(item.text))
		if lx+width > svgWidth {
			lx = 12
			y += 20
		}
		p(`<rect x="%.0f" y="%d" width="14" height="12" fill="%s"/>`, lx, y-10, fills[item.s])
		p(`<text x="%.0f" y="%d">%s</text>`, lx+20, y, item.text)
		lx += width
	}
	y += 22
	p(`<circle cx="19" cy="%d" r="4" class="connect"/>`, y-4)
	p(`<text x="30" y="%d">connects</text>`, y)
	p(`<line x1="100" y1="%d" x2="130" y2="%d" class="silent"/>`, y-4, y-4)
	p(`<text x="138" y="%d">connected, silent</text>`, y)
	p(`<line x1="276" y1="%d" x2="306" y2="%d" class="waiting"/>`, y-4, y-4)
	p(`<text x="314" y="%d">waiting for its reply</text>`, y)
	p(`<text x="474" y="%d" class="answer">✓</text>`, y)
	p(`<text x="490" y="%d">answered</text>`, y)
	p(`<text x="564" y="%d" class="hangup">✕</text>`, y)
	p(`<text x="580" y="%d">hangs up, or is closed by the server</text>`, y)
	y += 28
	for _, line := range wrap(claim, 120) {
		p(`<text x="12" y="%d" class="claim">%s</text>`, y, esc(line))
		y += 18
	}

	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">
<style>
text { fill: #222; }
.title { font-size: 16px; font-weight: bold; }
.section { font-weight: bold; fill: #555; }
.small, .tick { font-size: 11px; fill: #555; }
.tick { text-anchor: middle; }
.axis { stroke: #888; }
.serving { stroke: #888; stroke-width: 2; }
.silent { stroke: #999; stroke-width: 1.5; stroke-dasharray: 3 3; }
.waiting { stroke: #ae3ec9; stroke-width: 6; }
.connect { fill: #222; }
.answer { fill: #2f9e44; font-size: 15px; font-weight: bold; text-anchor: middle; }
.hangup { fill: #c92a2a; font-size: 15px; text-anchor: middle; }
.shutdown { stroke: #c92a2a; stroke-dasharray: 5 3; }
.claim { font-style: italic; }
.panic { font-size: 11px; fill: #c92a2a; }
</style>
<rect width="100%%" height="100%%" fill="white"/>
%s</svg>
`, svgWidth, y, svgWidth, y, body.String())
}

// wrap cuts text into lines of at most n characters, between words.
func wrap(text string, n int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > n {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}
