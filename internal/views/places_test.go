package views

import (
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/portui/portui/internal/registry"
)

// placesDetail is port 80 with a host proxy, a container listener
// published through it, another container's unpublished one and a
// socket-activated one (as the model fills it).
func placesDetail() DetailState {
	return DetailState{
		Port: 80, Status: registry.Assigned, Class: registry.ClassOf(80),
		Run:    registry.Run{Lo: 80, Hi: 80, Status: registry.Assigned},
		Protos: []ProtoStatus{{"tcp", registry.Assigned}, {"udp", registry.Assigned}},
		Listen: ListenState{Polled: "12:00", Rows: []ListenerRow{
			{Proto: "tcp", Addr: "127.0.0.1:80", Scope: "loopback", Procs: []ProcRow{{PID: 1, Name: "systemd", User: "root", Command: "systemd --system"}},
				Unit: "http.socket", Activation: &ActivationRow{Socket: "http.socket", Service: "http.service"}},
			{Proto: "tcp", Addr: "0.0.0.0:80", Scope: "all", Procs: []ProcRow{{PID: 3, Name: "conmon", User: "root", Command: "conmon --api-version 1 -n web1"}},
				ForwardTo: "web1 (podman) 10.88.0.5:80"},
			{Proto: "tcp", Addr: "0.0.0.0:80", Scope: "all", Place: "web1 (podman) · pod p1",
				Procs:     []ProcRow{{PID: 7, Name: "httpd", User: "root", Command: "httpd -f -p 80"}},
				Published: []string{"0.0.0.0:80 (conmon)"}, Unit: "libpod-0123.scope"},
			{Proto: "tcp", Addr: "0.0.0.0:80", Scope: "all", Place: "netns pdemo", Unpublished: true,
				Procs: []ProcRow{{PID: 9, Name: "python3", User: "root", Command: "python3 -m http.server 80"}}},
		}},
	}
}

// The pane groups a port's listeners by where they live: the host first,
// then each container and namespace under a heading, with what publishes
// them, where a proxy forwards, units and socket activation; every line
// fits the pane at every width.
func TestDetailPlaces(t *testing.T) {
	sty := darkANSI()
	d := placesDetail()
	for _, w := range []int{30, 38, 52, 63, 90} {
		lines := Detail(d, w, 60, sty)
		for i, l := range lines {
			if n := ansi.StringWidth(l); n != w {
				t.Fatalf("width %d: line %d is %d wide: %q", w, i, n, ansi.Strip(l))
			}
		}
		if got, want := squash(lines), squash([]string{
			"host", "tcp 127.0.0.1:80 loopback", "http.socket → http.service (not running, starts on connect)",
			"systemd pid 1 · root", "systemd --system",
			"tcp 0.0.0.0:80 all", "published → web1 (podman) 10.88.0.5:80", "conmon pid 3 · root", "conmon --api-version 1 -n web1",
			"web1 (podman) · pod p1", "tcp 0.0.0.0:80 all", "published on 0.0.0.0:80 (conmon)", "unit libpod-0123.scope",
			"httpd pid 7 · root", "httpd -f -p 80",
			"netns pdemo", "tcp 0.0.0.0:80 all", "not published: reachable only inside its network namespace",
			"python3 pid 9 · root", "python3 -m http.server 80",
		}); !strings.Contains(got, want) {
			t.Errorf("width %d: pane\n%s\nlacks, in this order,\n%s", w, ansi.Strip(strings.Join(lines, "\n")), want)
		}
	}
	// Headings at the left, their rows indented under them.
	lines := Detail(d, 63, 60, sty)
	var heads, rows []string
	for _, l := range lines {
		s := strings.TrimRight(ansi.Strip(l), " ")
		switch {
		case s == "host" || strings.HasPrefix(s, "web1") || strings.HasPrefix(s, "netns"):
			heads = append(heads, s)
		case strings.Contains(s, "tcp 0.") || strings.Contains(s, "tcp 127."):
			rows = append(rows, s)
		}
	}
	if strings.Join(heads, "|") != "host|web1 (podman) · pod p1|netns pdemo" {
		t.Errorf("headings %q", heads)
	}
	for _, r := range rows {
		if !strings.HasPrefix(r, "  tcp ") {
			t.Errorf("row not indented under its heading: %q", r)
		}
	}
	// Only host listeners: no heading, rows as before.
	d.Listen.Rows = d.Listen.Rows[:2]
	s := ansi.Strip(strings.Join(Detail(d, 63, 40, sty), "\n"))
	if strings.Contains(s, "\nhost") || !strings.Contains(s, "\ntcp 127.0.0.1:80") {
		t.Errorf("host only:\n%s", s)
	}
	// A running service; a NAT forward with no host socket.
	d.Listen.Rows = d.Listen.Rows[:1]
	d.Listen.Rows[0].Activation.Running = true
	d.Listen.Forwards = []ForwardRow{{Proto: "tcp", Host: "0.0.0.0:8080", To: "api (docker) 172.17.0.2:80", Via: "nat"}}
	s = ansi.Strip(strings.Join(Detail(d, 63, 40, sty), "\n"))
	for _, want := range []string{"http.socket → http.service (running)", "tcp 0.0.0.0:8080 published (nat) → api (docker) 172.17.0.2:80"} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "unit http.socket") {
		t.Error("the unit repeats the socket unit of the activation line")
	}
	// ASCII: the arrow is "->".
	a := ansi.Strip(strings.Join(Detail(placesDetail(), 63, 60, NewStyles(colorprofile.ANSI, true, &ASCIIGlyphs)), "\n"))
	if !strings.Contains(a, "published -> web1 (podman) 10.88.0.5:80") {
		t.Errorf("ascii:\n%s", a)
	}
}

// The legend's container/netns entry shows only when there is one, and
// says just its count where the line is short of room.
func TestLegendAway(t *testing.T) {
	sty := darkANSI()
	l := LegendState{Counts: [4]int{282, 686, 46, 10}, Listening: 5, Look: 1, Away: 2}
	for _, w := range []int{40, 80, 120, 200} {
		lines := Legend(l, w, sty)
		for _, s := range lines {
			if ansi.StringWidth(s) != w {
				t.Fatalf("width %d: line is %d wide", w, ansi.StringWidth(s))
			}
		}
		s := ansi.Strip(strings.Join(lines, "\n"))
		if w >= 80 && !strings.Contains(s, "! needs a look 1  c container/netns 2") {
			t.Errorf("width %d: %q", w, s)
		}
	}
	if s := ansi.Strip(strings.Join(Legend(LegendState{Listening: 5}, 120, sty), "")); strings.Contains(s, "container") {
		t.Errorf("no away cells, yet %q", s)
	}
	big := LegendState{Counts: [4]int{1000, 10, 10, 4}, Listening: 1024, Look: 1000, Away: 24}
	s := ansi.Strip(Legend(big, 120, sty)[0])
	if !strings.HasSuffix(strings.TrimRight(s, " "), "! needs a look 1000  c 24") {
		t.Errorf("short form: %q", s)
	}
}

// The header names the scope when it is narrowed, in full or cut.
func TestHeaderScope(t *testing.T) {
	sty := darkANSI()
	h := HeaderState{Lo: 0, Hi: 1023, Class: "System Ports", View: "combined", Filter: "all"}
	if s := ansi.Strip(Header(h, 120, sty)); strings.Contains(s, "scope") {
		t.Errorf("all: %q", s)
	}
	h.Scope = "web1 (podman)"
	if s := ansi.Strip(Header(h, 120, sty)); !strings.HasSuffix(s, "view combined · filter all · scope web1 (podman) · ? help") {
		t.Errorf("wide: %q", s)
	}
	if s := ansi.Strip(Header(h, 80, sty)); !strings.HasSuffix(s, "combined · all · scope web1 (podman)") || ansi.StringWidth(s) != 80 {
		t.Errorf("narrow: %q", s)
	}
	h.Scope = strings.Repeat("x", 60) + " (docker)"
	if s := ansi.Strip(Header(h, 120, sty)); ansi.StringWidth(s) != 120 || !strings.Contains(s, "scope "+strings.Repeat("x", 31)+"…") {
		t.Errorf("long: %q", s)
	}
}
