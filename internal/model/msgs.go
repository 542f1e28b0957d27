package model

import (
	"time"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/scan"
)

// Messages the model's commands send back. Each carries the identity of the
// request (a generation or sequence number) so that Update can drop a
// result that was overtaken by a newer request.

// pollTickMsg says an armed poll is due.
type pollTickMsg struct{ id int }

// pollMsg is the result of one scan.
type pollMsg struct {
	id   int     // the poller's id when the scan was started
	req  pollReq // what was scanned
	snap scan.Snapshot
	err  error
	took time.Duration // how long the scan ran
}

// searchMsg is the result of one search.
type searchMsg struct {
	seq     int // the request's id (searchState.next when it was made)
	query   string
	matches []registry.Match
	err     error
}

// digitTimeoutMsg ends a typed port number.
type digitTimeoutMsg struct{ seq int }

// flashTimeoutMsg clears a status-bar message.
type flashTimeoutMsg struct{ seq int }

// warmedMsg says the registry finished decoding in the background.
type warmedMsg struct{}

// firstFrameMsg ends the wait for the first scan before the first frame.
type firstFrameMsg struct{}
