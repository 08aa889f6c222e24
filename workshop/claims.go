package main

import "fmt"

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
}

// answered says whether c exists and its first request was answered.
func answered(c *client) bool {
	return c != nil && len(c.requests) > 0 && c.requests[0].answered >= 0
}
