package tea

// Tests of the portui patch (PORTUI-PATCH.md): an idle program stops its
// frame ticker, and a new view after an idle stretch is drawn.

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type wordMsg string

type wordModel struct{ word string }

func (m wordModel) Init() Cmd { return nil }

func (m wordModel) Update(msg Msg) (Model, Cmd) {
	switch msg := msg.(type) {
	case wordMsg:
		m.word = string(msg)
	case KeyPressMsg:
		if msg.String() == "q" {
			return m, Quit
		}
	}
	return m, nil
}

func (m wordModel) View() View { return NewView("word: " + m.word) }

// waitFor polls cond every millisecond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestIdleRendererSleepsAndWakes(t *testing.T) {
	var in bytes.Buffer
	out := &lockedBuffer{}
	p := NewProgram(wordModel{word: "first"}, WithInput(&in), WithOutput(out), WithFPS(60), WithWindowSize(80, 24))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	t.Cleanup(func() {
		p.Quit()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("program did not stop")
		}
	})
	if !waitFor(3*time.Second, func() bool { return strings.Contains(out.String(), "word: first") }) {
		t.Fatalf("first frame never drawn; output %q", out.String())
	}
	// Idle: after idleTicks frames the ticker stops. At 60 fps, 300 ms
	// would be 18 ticks with the upstream renderer.
	time.Sleep(100 * time.Millisecond)
	before := p.frameTicks.Load()
	time.Sleep(300 * time.Millisecond)
	if n := p.frameTicks.Load() - before; n > 0 {
		t.Fatalf("idle renderer woke %d times in 300 ms, want 0", n)
	}
	// A new view wakes it and is drawn.
	p.Send(wordMsg("second"))
	if !waitFor(3*time.Second, func() bool { return strings.Contains(out.String(), "second") }) {
		t.Fatalf("view after idle never drawn; output %q", out.String())
	}
	// And it goes back to sleep.
	time.Sleep(100 * time.Millisecond)
	before = p.frameTicks.Load()
	time.Sleep(300 * time.Millisecond)
	if n := p.frameTicks.Load() - before; n > 0 {
		t.Fatalf("renderer woke %d times in 300 ms after the burst, want 0", n)
	}
}

func TestBurstStillCoalesced(t *testing.T) {
	var in bytes.Buffer
	out := &lockedBuffer{}
	p := NewProgram(wordModel{word: "start"}, WithInput(&in), WithOutput(out), WithFPS(20), WithWindowSize(80, 24))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	t.Cleanup(func() {
		p.Quit()
		<-done
	})
	if !waitFor(3*time.Second, func() bool { return strings.Contains(out.String(), "start") }) {
		t.Fatalf("first frame never drawn: %q", out.String())
	}
	time.Sleep(200 * time.Millisecond) // asleep
	before := p.frameTicks.Load()
	// 50 views within ~100 ms: at 20 fps about 2–3 frames, never 50.
	for i := range 50 {
		p.Send(wordMsg("w" + strings.Repeat("x", i)))
		time.Sleep(2 * time.Millisecond)
	}
	p.Send(wordMsg("burst-ended"))
	want := "burst-ended"
	if !waitFor(3*time.Second, func() bool { return strings.Contains(out.String(), want) }) {
		t.Fatal("last view of the burst never drawn")
	}
	if n := p.frameTicks.Load() - before; n > 20 {
		t.Fatalf("a 100 ms burst took %d frame ticks at 20 fps, want a handful", n)
	}
}
