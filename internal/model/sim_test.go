package model

import (
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// sim drives a model in simulated time: it runs the commands the model
// returns, and holds the poll ticks (armed through Model.after) until the
// simulated clock reaches them. Only for flows whose commands are polls,
// searches and the like: a real tea.Tick (digits, flash) would sleep.
type sim struct {
	t      testing.TB
	m      Model
	now    time.Duration // since the start
	ready  []tea.Msg
	timers []simEvent
	seq    int
}

type simEvent struct {
	at  time.Duration
	seq int
	msg tea.Msg
}

// simTimer is what Model.after returns under simulation.
type simTimer struct {
	d   time.Duration
	msg tea.Msg
}

func newSim(t testing.TB, m Model) *sim {
	m.after = func(d time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { return simTimer{d, msg} }
	}
	s := &sim{t: t}
	m.clock = func() time.Time { return t0.Add(s.now) }
	s.m = m
	return s
}

// run executes cmd at once (commands are synchronous here) and queues
// what it sends.
func (s *sim) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			s.run(c)
		}
	case simTimer:
		s.seq++
		s.timers = append(s.timers, simEvent{at: s.now + msg.d, seq: s.seq, msg: msg.msg})
	default:
		s.ready = append(s.ready, msg)
	}
}

// send delivers msg to the model and runs what it returns.
func (s *sim) send(msg tea.Msg) {
	next, cmd := s.m.Update(msg)
	s.m = next.(Model)
	s.run(cmd)
}

// until advances the clock to d, delivering everything due on the way.
// It fails the test if more than limit messages are delivered (a loop
// that never waits).
func (s *sim) until(d time.Duration, limit int) {
	s.t.Helper()
	for n := 0; ; n++ {
		if n > limit {
			s.t.Fatalf("at %v: more than %d messages without the clock moving far enough", s.now, limit)
		}
		if len(s.ready) > 0 {
			msg := s.ready[0]
			s.ready = s.ready[1:]
			s.send(msg)
			continue
		}
		if len(s.timers) == 0 {
			s.now = d
			return
		}
		slices.SortFunc(s.timers, func(a, b simEvent) int {
			if a.at != b.at {
				return int(a.at - b.at)
			}
			return a.seq - b.seq
		})
		e := s.timers[0]
		if e.at > d {
			s.now = d
			return
		}
		s.timers = s.timers[1:]
		s.now = e.at
		s.send(e.msg)
	}
}
