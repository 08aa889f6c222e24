package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/exp/trace"
)

// This file reads an execution trace of a chapter's TestTrace (see
// miniredis/miniredistest/trace.go) into a timeline: one row per goroutine
// that matters, and what each client did and when. The trace says when
// every goroutine ran and why it waited; the logs that the scenario and
// miniredis.Connection wrote on it say which goroutine is which.

// Trace categories, as miniredis and miniredistest log them.
const (
	logScenario = "scenario"
	logRole     = "scenario.role"
	logClient   = "scenario.client"
	logSend     = "scenario.send"
	logReply    = "scenario.reply"
	logHangUp   = "scenario.hangup"
	logClosed   = "scenario.closed"
	logPanic    = "scenario.panic"
	logRead     = "miniredis.read"
)

// A gstate is what a goroutine is doing, as the picture shows it.
type gstate uint8

const (
	absent    gstate = iota // not started yet, or done
	running                 // running, or ready to and waiting for a CPU
	waitNet                 // waiting on the network for its client
	waitLock                // waiting for a sync.Mutex
	waitOther               // waiting on anything else: a WaitGroup, a channel, a timer
)

// A span is a stretch of time in one state. Times are since the scenario
// started.
type span struct {
	from, to time.Duration
	state    gstate
}

// A serving is a stretch of time in which a goroutine serves one client:
// from its first wait for a request to the next client's.
type serving struct {
	from, to time.Duration
	client   string
}

// A row is one goroutine of the server.
type row struct {
	name     string // "accept loop", "conn A"
	id       trace.GoID
	spans    []span
	serves   []serving
	created  time.Duration // when it was created; 0 if before the scenario
	ended    time.Duration // when it returned; -1 if it outlived the scenario
	panicked time.Duration // when it panicked; -1 if it did not
}

// A request is one write of a client, of one or more commands, and its
// replies.
type request struct {
	what           string        // "SET b 1"
	sent, answered time.Duration // answered is -1 if no reply came
	reply          string        // the replies, or why none came
}

// A client is one of the scenario's clients, named by a letter.
type client struct {
	name      string
	addr      string // its local address, the server's RemoteAddr
	connected time.Duration
	hungUp    time.Duration // when it hung up or was closed; -1 if neither
	closed    bool          // the server closed the connection, not the client
	requests  []request
}

// A timeline is a scenario's run, as read from its trace.
type timeline struct {
	length   time.Duration
	rows     []*row
	clients  []*client
	shutdown time.Duration // when the server was told to stop; -1 if never
}

// client returns the client named name, or nil.
func (tl *timeline) client(name string) *client {
	for _, c := range tl.clients {
		if c.name == name {
			return c
		}
	}
	return nil
}

// row returns the row named name, or nil.
func (tl *timeline) row(name string) *row {
	for _, r := range tl.rows {
		if r.name == name {
			return r
		}
	}
	return nil
}

// connRows are the rows of the connection goroutines.
func (tl *timeline) connRows() []*row {
	var rows []*row
	for _, r := range tl.rows {
		if strings.HasPrefix(r.name, "conn ") {
			rows = append(rows, r)
		}
	}
	return rows
}

// errNoScenario says that a trace is a Go trace, but not of a scenario.
var errNoScenario = errors.New("the trace has no scenario in it: it must come from a chapter's TestTrace (go run ./workshop trace NN makes one)")

// goroutine is what the reader knows of one goroutine while it reads.
type goroutine struct {
	id       trace.GoID
	spans    []span
	since    trace.Time // when cur began
	cur      gstate
	created  trace.Time
	ended    trace.Time
	role     string
	reads    []peerAt // miniredis.read logs: whom it waited for, and when
	panicked trace.Time
}

type peerAt struct {
	at   trace.Time
	peer string
}

type logAt struct {
	at       trace.Time
	category string
	message  string
}

// traceHeader is how a Go execution trace starts.
var traceHeader = regexp.MustCompile(`^go 1\.\d+ trace`)

// readTimeline reads a trace written by go test -trace while a chapter's
// TestTrace ran.
func readTimeline(r io.Reader) (*timeline, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(len("go 1.26 trace")); !traceHeader.Match(head) {
		return nil, errors.New(`not a Go execution trace: one starts with "go 1.NN trace"`)
	}
	tr, err := trace.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("cannot read this trace: %w", err)
	}
	gs := map[trace.GoID]*goroutine{}
	get := func(id trace.GoID) *goroutine {
		g := gs[id]
		if g == nil {
			g = &goroutine{id: id, ended: -1}
			gs[id] = g
		}
		return g
	}
	var logs []logAt
	var last trace.Time
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the trace is cut short or damaged: %w", err)
		}
		last = ev.Time()
		switch ev.Kind() {
		case trace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				continue
			}
			g := get(st.Resource.Goroutine())
			from, to := st.Goroutine()
			next := classify(to, st.Reason, st.Stack)
			if from == trace.GoNotExist && to != trace.GoNotExist && g.created == 0 {
				g.created = ev.Time()
			}
			if to == trace.GoNotExist {
				g.ended = ev.Time()
			}
			if g.since != 0 && g.cur != absent {
				g.spans = append(g.spans, span{from: time.Duration(g.since), to: time.Duration(ev.Time()), state: g.cur})
			}
			g.cur, g.since = next, ev.Time()
		case trace.EventLog:
			l := ev.Log()
			switch l.Category {
			case logRole:
				get(ev.Goroutine()).role = l.Message
			case logRead:
				g := get(ev.Goroutine())
				g.reads = append(g.reads, peerAt{ev.Time(), l.Message})
			case logPanic:
				get(ev.Goroutine()).panicked = ev.Time()
			case logScenario, logClient, logSend, logReply, logHangUp, logClosed:
				logs = append(logs, logAt{ev.Time(), l.Category, l.Message})
			}
		}
	}
	return buildTimeline(gs, logs, last)
}

// classify turns a goroutine's new state, and the reason and stack of the
// transition, into what the picture shows.
func classify(to trace.GoState, reason string, stack trace.Stack) gstate {
	switch to {
	case trace.GoRunning, trace.GoRunnable, trace.GoSyscall:
		return running
	case trace.GoWaiting:
		if reason == "network" {
			return waitNet
		}
		for f := range stack.Frames() {
			if strings.HasPrefix(f.Func, "sync.(*Mutex).") || strings.HasPrefix(f.Func, "sync.(*RWMutex).") {
				return waitLock
			}
		}
		return waitOther
	}
	return absent
}

// buildTimeline picks the goroutines and clients of the scenario out of
// everything the trace holds, with times since the scenario's start.
func buildTimeline(gs map[trace.GoID]*goroutine, logs []logAt, last trace.Time) (*timeline, error) {
	var start, end trace.Time = -1, -1
	for _, l := range logs {
		if l.category == logScenario && l.message == "start" && start < 0 {
			start = l.at
		}
		if l.category == logScenario && l.message == "end" {
			end = l.at
		}
	}
	if start < 0 {
		return nil, errNoScenario
	}
	if end < 0 {
		// The scenario did not finish; show what there is.
		end = last
	}
	since := func(t trace.Time) time.Duration { return min(max(t.Sub(start), 0), end.Sub(start)) }
	tl := &timeline{length: end.Sub(start), shutdown: -1}

	// The clients, from what they logged.
	for _, l := range logs {
		name, rest, _ := strings.Cut(l.message, " ")
		switch l.category {
		case logScenario:
			if l.message == "shutdown" {
				tl.shutdown = since(l.at)
			}
		case logClient:
			tl.clients = append(tl.clients, &client{name: name, addr: rest, connected: since(l.at), hungUp: -1})
		case logSend:
			if c := tl.client(name); c != nil {
				c.requests = append(c.requests, request{what: rest, sent: since(l.at), answered: -1})
			}
		case logReply:
			if c := tl.client(name); c != nil && len(c.requests) > 0 {
				req := &c.requests[len(c.requests)-1]
				req.reply = rest
				if !strings.HasPrefix(rest, "no reply") {
					req.answered = since(l.at)
				}
			}
		case logHangUp, logClosed:
			if c := tl.client(name); c != nil && c.hungUp < 0 {
				c.hungUp = since(l.at)
				c.closed = l.category == logClosed
			}
		}
	}
	byAddr := map[string]string{}
	for _, c := range tl.clients {
		byAddr[c.addr] = c.name
	}

	// The server's goroutines: the one that runs serve, and each one that
	// waited for a request from a client of the scenario.
	var picked []*goroutine
	for _, g := range gs {
		if g.role != "" || slices.ContainsFunc(g.reads, func(p peerAt) bool { return byAddr[p.peer] != "" }) {
			picked = append(picked, g)
		}
	}
	slices.SortFunc(picked, func(a, b *goroutine) int {
		switch {
		case a.role != "" && b.role == "":
			return -1
		case a.role == "" && b.role != "":
			return 1
		}
		return int(a.created - b.created)
	})
	// A connection's goroutine may return a moment after the scenario
	// ends, its client having hung up: wait for it.
	for _, g := range picked {
		if g.ended > end {
			end = g.ended
		}
	}
	tl.length = end.Sub(start)
	for _, g := range picked {
		r := &row{id: g.id, created: since(g.created), ended: -1, panicked: -1}
		if g.panicked != 0 {
			r.panicked = since(g.panicked)
		}
		if g.ended >= 0 && g.ended <= end {
			r.ended = since(g.ended)
		}
		// A goroutine still in a state when the trace ends stays in it.
		spans := g.spans
		if g.cur != absent {
			spans = append(spans, span{from: time.Duration(g.since), to: time.Duration(last), state: g.cur})
		}
		for _, s := range spans {
			from, to := since(trace.Time(s.from)), since(trace.Time(s.to))
			if to > from || (to == from && s.state == running && from < tl.length) {
				r.spans = append(r.spans, span{from: from, to: to, state: s.state})
			}
		}
		for i, p := range g.reads {
			name := byAddr[p.peer]
			if name == "" {
				continue
			}
			to := tl.length
			if g.ended >= 0 {
				to = since(g.ended)
			}
			if i+1 < len(g.reads) {
				to = since(g.reads[i+1].at)
			}
			if n := len(r.serves); n > 0 && r.serves[n-1].client == name {
				r.serves[n-1].to = to
				continue
			}
			r.serves = append(r.serves, serving{from: since(p.at), to: to, client: name})
		}
		switch {
		case g.role != "":
			r.name = g.role
		case len(r.serves) > 0:
			r.name = "conn " + r.serves[0].client
		}
		tl.rows = append(tl.rows, r)
	}
	return tl, nil
}

// during returns the state of r that the picture shows for the stretch
// [from, to): a goroutine that ran at all in it ran, so that a run of a
// few microseconds stays visible; else it waited on a lock, on the
// network, on something else, in that order.
func (r *row) during(from, to time.Duration) gstate {
	best := absent
	rank := map[gstate]int{absent: 0, waitOther: 1, waitNet: 2, waitLock: 3, running: 4}
	for _, s := range r.spans {
		if s.to < from || s.from >= to || (s.to == from && s.to > s.from) {
			continue
		}
		if rank[s.state] > rank[best] {
			best = s.state
		}
	}
	return best
}

// waited is how long r spent in state s.
func (r *row) waited(s gstate) time.Duration {
	var d time.Duration
	for _, sp := range r.spans {
		if sp.state == s {
			d += sp.to - sp.from
		}
	}
	return d
}
