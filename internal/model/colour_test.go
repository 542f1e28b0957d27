package model

import (
	"fmt"
	"image/color"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/portui/portui/internal/scan"
	"github.com/portui/portui/internal/views"
)

var sgrSeq = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

// emittedSGR is every SGR attribute in a byte stream ("1", "33",
// "38;5;246"; extended colours kept whole).
func emittedSGR(out []byte) []string {
	var attrs []string
	for _, m := range sgrSeq.FindAllStringSubmatch(string(out), -1) {
		ps := strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' })
		for i := 0; i < len(ps); i++ {
			if (ps[i] == "38" || ps[i] == "48" || ps[i] == "58") && i+1 < len(ps) {
				n := 3
				if ps[i+1] == "2" {
					n = 5
				}
				n = min(n, len(ps)-i)
				attrs = append(attrs, strings.Join(ps[i:i+n], ";"))
				i += n - 1
				continue
			}
			attrs = append(attrs, ps[i])
		}
	}
	return attrs
}

// TestColourProfiles runs the whole program under each colour profile
// (as colorprofile detects it: TERM=dumb → NoTTY, NO_COLOR → Ascii,
// TERM=xterm/linux → ANSI, xterm-256color → ANSI256, COLORTERM=truecolor)
// and each background, moves, searches, filters and opens help, and checks
// the SGR the renderer actually wrote (issue 7 #9): never the bright
// colours 90–97/100–107 (absent on 8-colour terminals, background-coloured
// on Solarized), no colour under NO_COLOR, only the 8 basic colours on a
// 16-colour terminal and no yellow, green or cyan text there on a light
// background, 256-colour indices from 16 up otherwise.
func TestColourProfiles(t *testing.T) {
	for _, p := range []colorprofile.Profile{colorprofile.NoTTY, colorprofile.Ascii, colorprofile.ANSI, colorprofile.ANSI256, colorprofile.TrueColor} {
		for _, dark := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v_dark=%v", p, dark), func(t *testing.T) {
				m := New(Config{Registry: testReg, Scanner: scan.Static(with326(t0)), Port: 326, Interval: time.Hour})
				m.loc = time.UTC
				// The background as the terminal reported it before the
				// first frame (until it answers, the dark one is assumed).
				m.sty = views.NewStyles(colorprofile.ANSI, dark, nil)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40),
					teatest.WithProgramOptions(tea.WithColorProfile(p)))
				bg := color.Color(color.Black)
				if !dark {
					bg = color.White
				}
				tm.Send(tea.BackgroundColorMsg{Color: bg})
				tm.Type("lljjkh")
				tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
				tm.Type("ff/ssh")
				tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
				tm.Type("?")
				time.Sleep(100 * time.Millisecond)
				tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
				out, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
				if err != nil {
					t.Fatal(err)
				}
				fm := tm.FinalModel(t).(Model)
				if fm.sty.Profile != p || fm.sty.IsDark != dark {
					t.Fatalf("styles built for %v dark=%v", fm.sty.Profile, fm.sty.IsDark)
				}
				attrs := emittedSGR(out)
				colours := 0
				for _, a := range attrs {
					n, err := strconv.Atoi(a)
					ext := err != nil
					if ext || n >= 30 && n <= 49 && n != 39 && n != 49 {
						colours++
					}
					switch {
					case p == colorprofile.NoTTY && a != "0" && a != "":
						t.Fatalf("SGR %q with no TTY", a)
					case !ext && (n >= 90 && n <= 97 || n >= 100 && n <= 107):
						t.Fatalf("bright colour %q", a)
					case p == colorprofile.Ascii && (ext || n >= 30 && n <= 47):
						t.Fatalf("colour %q under NO_COLOR", a)
					case p == colorprofile.ANSI && ext:
						t.Fatalf("extended colour %q on a 16-colour terminal", a)
					case p == colorprofile.ANSI && !dark && (n == 32 || n == 33 || n == 36):
						t.Fatalf("yellow, green or cyan text %q on a light background", a)
					case strings.HasPrefix(a, "38;5;") || strings.HasPrefix(a, "48;5;"):
						if i, _ := strconv.Atoi(a[5:]); i < 16 {
							t.Fatalf("palette index %q", a)
						}
					}
				}
				if p >= colorprofile.ANSI && colours == 0 {
					t.Fatalf("no colour at all under %v: %q", p, attrs)
				}
			})
		}
	}
}

// The grid blanks dimmed numbers exactly when the styles emit no SGR at
// all (a filter cannot be drawn as "dim" then): NoTTY, and a profile not
// known, for which NewStyles emits none either.
func TestPlainGridFollowsTheStyles(t *testing.T) {
	for _, p := range append(profiles(), colorprofile.Unknown) {
		m := newTest(t, 120, 40, 326, baseSnap(t0))
		m = update(t, m, tea.ColorProfileMsg{Profile: p})
		frame := m.View().Content
		if plain := m.gridState().Plain; plain != !strings.Contains(frame, "\x1b[") {
			t.Errorf("%v: grid plain %v, frame with SGR %v", p, plain, strings.Contains(frame, "\x1b["))
		}
	}
}

func profiles() []colorprofile.Profile {
	return []colorprofile.Profile{colorprofile.NoTTY, colorprofile.Ascii, colorprofile.ANSI, colorprofile.ANSI256, colorprofile.TrueColor}
}
