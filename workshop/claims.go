package main

import (
	"fmt"
	"strings"
	"time"
)

// claims are what each chapter's picture must show, checked on the
// timeline: each returns the sentence printed under the picture and
// whether the run bears it out.
var claims = map[string]func(*timeline) (string, bool){
	"01": func(tl *timeline) (string, bool) {
		a, b := tl.client("A"), tl.client("B")
		if !answered(b) || a == nil || a.hungUp < 0 {
			return "B was never answered: is the accept loop there?", false
		}
		ans := b.requests[0].answered
		if ans < a.hungUp {
			return fmt.Sprintf("B was answered at %s, before A hung up at %s: this server does not serve one client at a time.", ms(ans), ms(a.hungUp)), false
		}
		return fmt.Sprintf("B was answered only after A hung up (%s): one goroutine serves one client at a time, so a silent client blocks everyone behind it.", ms(a.hungUp)), true
	},
	"02": func(tl *timeline) (string, bool) {
		a, b := tl.client("A"), tl.client("B")
		if !answered(b) || a == nil || a.hungUp < 0 {
			return "B was never answered.", false
		}
		ans := b.requests[0].answered
		if ans > a.hungUp {
			return fmt.Sprintf("B was answered only after A hung up (%s): the connection is still served by the accept loop. Is the go statement there?", ms(a.hungUp)), false
		}
		return fmt.Sprintf("B was answered at %s while A stayed connected and silent until %s: each connection has a goroutine of its own.", ms(ans), ms(a.hungUp)), true
	},
	"03": func(tl *timeline) (string, bool) {
		a, b, c := tl.client("A"), tl.client("B"), tl.client("C")
		loop, connC := tl.row("accept loop"), tl.row("conn C")
		switch {
		case b == nil || c == nil || a == nil || loop == nil || connC == nil:
			return "the scenario did not finish: see the test's output above.", false
		case answered(b):
			return "B's request was answered: the stand-in handler should have panicked.", false
		case !answered(c):
			return "C's request, in flight at the shutdown, was never answered: does a panic end the whole server, or shutdown close busy connections?", false
		case tl.shutdown < 0 || c.requests[0].answered < tl.shutdown:
			return "C was answered before the shutdown: the scenario did not hold its request.", false
		case !a.closed || a.hungUp > c.requests[0].answered:
			return "A, idle, was not closed at once at the shutdown.", false
		case loop.ended < 0 || connC.ended < 0 || loop.ended < connC.ended:
			return "serve returned before C's request in flight was answered: does it wait for its connection goroutines?", false
		}
		return fmt.Sprintf("B's panic ended B's connection alone. At the shutdown (%s), idle A was closed at once; C's request in flight was answered at %s, and serve returned only then.",
			ms(tl.shutdown), ms(c.requests[0].answered)), true
	},
	"04": func(tl *timeline) (string, bool) {
		a, b := tl.client("A"), tl.client("B")
		if !answered(b) || a == nil || a.hungUp < 0 {
			return "B was never answered.", false
		}
		var locked time.Duration
		for _, r := range tl.connRows() {
			locked += r.waited(waitLock)
		}
		if ans := b.requests[0].answered; ans > a.hungUp {
			return fmt.Sprintf("B was answered only after A hung up (%s): is the mutex held while a goroutine waits for its client?", ms(a.hungUp)), false
		}
		return fmt.Sprintf("B was answered at %s while A stayed silent; the goroutines waited %s in all for the mutex, held only to count.", ms(b.requests[0].answered), ms(locked)), true
	},
	"04-io": func(tl *timeline) (string, bool) {
		a, b, connB := tl.client("A"), tl.client("B"), tl.row("conn B")
		if !answered(b) || a == nil || a.hungUp < 0 || connB == nil {
			return "B was never answered.", false
		}
		locked := connB.waited(waitLock)
		if b.requests[0].answered < a.hungUp || locked < a.hungUp/2 {
			return fmt.Sprintf("conn B waited %s for the mutex: it was not held across I/O.", ms(locked)), false
		}
		return fmt.Sprintf("conn B waited %s for the mutex, which A's goroutine held while it waited for A to speak: B was answered only after A hung up.", ms(locked)), true
	},
	"05": func(tl *timeline) (string, bool) {
		a := tl.client("A")
		if !answered(a) {
			return "A's pipeline was not answered.", false
		}
		replies := strings.Split(a.requests[0].reply, "; ")
		if len(replies) != 20 {
			return fmt.Sprintf("A sent 20 commands in one write and got %d replies.", len(replies)), false
		}
		for i, r := range replies[10:] {
			if want := fmt.Sprintf("v%d", i); r != want {
				return fmt.Sprintf("A's GET k%d was answered %q, not %q.", i, r, want), false
			}
		}
		return fmt.Sprintf("A's twenty commands, sent in one write, were answered in order in %s by its connection's goroutine.", ms(a.requests[0].answered-a.requests[0].sent)), true
	},
}

// answered says whether c exists and its first request was answered.
func answered(c *client) bool {
	return c != nil && len(c.requests) > 0 && c.requests[0].answered >= 0
}
