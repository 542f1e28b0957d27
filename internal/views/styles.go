// Package views renders portui's screen regions (grid, detail pane, legend,
// header, status bar, help overlay) as pure functions of plain state
// structs. Nothing here does I/O, reads the clock or keeps state between
// calls, so every region can be golden-tested without a program.
//
// Styles are built once (NewStyles) and pre-rendered into SGR on/off pairs:
// the 1,024-cell grid is concatenated from those cached strings, never from
// lipgloss.Style.Render calls per cell per frame.
package views

import (
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/portui/portui/internal/registry"
)

// SGR is a pre-rendered style: the escape sequence switching it on and the
// one switching it off. The zero SGR is unstyled text.
type SGR struct{ On, Off string }

// Wrap returns text in the style.
func (s SGR) Wrap(text string) string {
	if s.On == "" || text == "" {
		return text
	}
	return s.On + text + s.Off
}

// sgrOf renders st once around a probe character and keeps what surrounds
// it. Only attribute styles (colours, bold, reverse…) may be passed: padding,
// width or borders would be baked into the probe.
func sgrOf(st lipgloss.Style) SGR {
	on, off, _ := strings.Cut(st.Render("X"), "X")
	return SGR{On: on, Off: off}
}

// Mark is the listener overlay of a grid cell.
type Mark uint8

// Marks, in the order they are packed into a Cell.
const (
	MarkNone Mark = iota
	MarkTCP       // a TCP listener on an assigned port
	MarkUDP       // a UDP listener on an assigned port
	MarkBoth      // TCP and UDP listeners on an assigned port
	MarkLook      // a listener that needs a look: any audit finding, or against the expectations file not expected
	// MarkAway: the port's listeners all live outside the host's network
	// namespace (inside containers or other netns); a listener on the
	// host wins over it.
	MarkAway
	numMarks
)

// Cell is the precomputed look of one grid cell, packed in a byte: the
// registry status (2 bits), the listener mark (3 bits) and the search-match
// and filter-dim flags. The model recomputes the cells only when the data
// behind them changes (view, filter, poll, search), not per frame.
type Cell uint8

const (
	cellStatusMask = 0x03
	cellMarkShift  = 2
	cellMarkMask   = 0x07 << cellMarkShift
	cellMatch      = 1 << 5
	cellDim        = 1 << 6
	numCellStates  = 1 << 7
)

// MakeCell packs a cell.
func MakeCell(st registry.Status, m Mark, match, dim bool) Cell {
	c := Cell(st&cellStatusMask) | Cell(m)<<cellMarkShift
	if match {
		c |= cellMatch
	}
	if dim {
		c |= cellDim
	}
	return c
}

// Status is the registry status the cell was coloured by.
func (c Cell) Status() registry.Status { return registry.Status(c & cellStatusMask) }

// Mark is the cell's listener mark.
func (c Cell) Mark() Mark { return Mark((c & cellMarkMask) >> cellMarkShift) }

// Match reports whether the cell is a search match.
func (c Cell) Match() bool { return c&cellMatch != 0 }

// Dim reports whether the cell is filtered out.
func (c Cell) Dim() bool { return c&cellDim != 0 }

// markLetters are the listener marks; they are letters in every glyph
// table ("c": only in containers or other network namespaces). Selection wins over them, they win over a search match, which
// wins over the status glyph.
var markLetters = [numMarks]string{"", "t", "u", "b", "", "c"}

// StatusGlyph is the marker a status shows in the grid (" " for assigned).
func (g *Glyphs) StatusGlyph(s registry.Status) string {
	switch s {
	case registry.Unassigned:
		return g.Unassigned
	case registry.Reserved:
		return g.Reserved
	case registry.Other:
		return g.Other
	}
	return " "
}

// cellLook is one pre-rendered cell state: the number's SGR pair and the
// whole marker column (glyph included), alone and followed by the blank
// column between cells. The blank takes the marker's style when that is
// invisible on a space (a colour, bold, faint), so that a run of equal
// cells stays one SGR span on screen; after the selection (reverse) it is
// plain.
type cellLook struct {
	num           SGR
	mark, markGap string
}

// Styles holds every style of the UI, pre-rendered for one colour profile
// and background, and the glyph table. Build it with NewStyles; pass it by
// pointer (it is large and read-only).
type Styles struct {
	cells [2 * numCellStates]cellLook // index: cell | selected<<7

	status [4]SGR // per registry.Status, for text in pane and legend

	Label, Rule, Dim, Bold, Title, Head, Listen, Private, Warn, Err, Key, Active SGR

	// Away is the mark of ports whose listeners all live outside the
	// host's network namespace (grid and legend): the accent colour, not
	// bold, so that it reads as "a listener, but not here".
	Away SGR

	// HelpFrame frames the help overlay (a real lipgloss.Style: it has a
	// border and padding, so it cannot be pre-rendered). Rendered only
	// while help is open.
	HelpFrame lipgloss.Style

	Profile colorprofile.Profile // what the styles were built for
	IsDark  bool
	G       *Glyphs
}

// NoSGR reports whether the styles emit no SGR at all: nothing of it
// would reach the terminal (TERM=dumb, pipes, or a profile not known).
func (sty *Styles) NoSGR() bool {
	return sty.Profile == colorprofile.NoTTY || sty.Profile == colorprofile.Unknown
}

// StatusSGR is the style of text naming status s.
func (sty *Styles) StatusSGR(st registry.Status) SGR { return sty.status[st&cellStatusMask] }

// palette is the colours of one profile and background; nil means "no
// colour" (the attribute-only fallbacks then apply).
type palette struct {
	dim                                      color.Color // nil: the faint attribute
	reserved, other, listen, private, accent color.Color
	warn, err, matchBg, matchFg, title       color.Color
}

// Palettes. The rule (docs/tui.md, TestPaletteContrast, TestSGRByProfile):
//
//   - ANSI (16 colours, as TERM=xterm and TERM=linux report; many of them
//     show only 8): the eight basic colours 30–37/40–47 only, never the
//     bright 90–97/100–107 (absent on 8-colour terminals, and palette
//     greys on Solarized-like themes, where 90 is the background colour);
//     dim text uses the faint attribute. On a light background no yellow,
//     green or cyan text (xterm's are below 2:1 on white): reserved is
//     blue, the accent blue, listeners bold in the text colour.
//   - ANSI256 and TrueColor: indices 16–255 of the 256-colour table (a
//     fixed cube that palettes like Solarized leave alone, and at most
//     "38;5;NNN", shorter than 24-bit SGR), chosen per background so that
//     every text colour, the dim grey included, has a WCAG contrast of at
//     least 4.5:1 against common backgrounds of its kind (black, #1c1c1c,
//     gruvbox, Solarized; white, #eeeeee, gruvbox and Solarized light).
//   - Ascii (NO_COLOR): no colour; faint, bold, underline and reverse.
//   - NoTTY (TERM=dumb, pipes): no SGR at all.
var (
	ansiDark = palette{
		reserved: lipgloss.Yellow, other: lipgloss.Magenta, listen: lipgloss.Green, private: lipgloss.Red,
		accent: lipgloss.Cyan, warn: lipgloss.Yellow, err: lipgloss.Red, matchBg: lipgloss.Cyan, matchFg: lipgloss.Black,
		title: lipgloss.Cyan,
	}
	ansiLight = palette{
		reserved: lipgloss.Blue, other: lipgloss.Magenta, listen: nil /* bold in the text colour */, private: lipgloss.Red,
		accent: lipgloss.Blue, warn: lipgloss.Red, err: lipgloss.Red, matchBg: lipgloss.Cyan, matchFg: lipgloss.Black,
		title: lipgloss.Blue,
	}
	c256Dark = palette{
		dim: lipgloss.Color("246"), reserved: lipgloss.Color("178"), other: lipgloss.Color("176"),
		listen: lipgloss.Color("77"), private: lipgloss.Color("203"), accent: lipgloss.Color("81"),
		warn: lipgloss.Color("178"), err: lipgloss.Color("203"), matchBg: lipgloss.Color("81"),
		matchFg: lipgloss.Color("16"), title: lipgloss.Color("81"),
	}
	c256Light = palette{
		dim: lipgloss.Color("241"), reserved: lipgloss.Color("94"), other: lipgloss.Color("127"),
		listen: lipgloss.Color("22"), private: lipgloss.Color("160"), accent: lipgloss.Color("25"),
		warn: lipgloss.Color("94"), err: lipgloss.Color("160"), matchBg: lipgloss.Color("153"),
		matchFg: lipgloss.Color("16"), title: lipgloss.Color("25"),
	}
)

// paletteFor picks the palette of a profile and background.
func paletteFor(p colorprofile.Profile, isDark bool) (palette, bool) {
	switch p {
	case colorprofile.ANSI:
		if isDark {
			return ansiDark, true
		}
		return ansiLight, true
	case colorprofile.ANSI256, colorprofile.TrueColor:
		if isDark {
			return c256Dark, true
		}
		return c256Light, true
	}
	return palette{}, false
}

// NewStyles builds the styles for a colour profile (as tea.ColorProfileMsg
// reports it), a dark or light background (tea.BackgroundColorMsg) and a
// glyph table (nil: Unicode).
//
// The SGR is what the terminal will get: colours are chosen for the
// profile here (see the palettes), so Bubble Tea's downsampling has
// nothing left to change. The most common state (an assigned port) is
// unstyled, and a status's marker shares its number's style so that a
// run of equal cells is one unbroken SGR span: that keeps the bytes a
// cursor move writes low.
func NewStyles(profile colorprofile.Profile, isDark bool, g *Glyphs) *Styles {
	if g == nil {
		g = &UnicodeGlyphs
	}
	s := &Styles{Profile: profile, IsDark: isDark, G: g}
	if s.NoSGR() {
		s.HelpFrame = lipgloss.NewStyle().Border(g.Border).Padding(0, 1)
		for i := range s.cells {
			c, sel := Cell(i&(numCellStates-1)), i&numCellStates != 0
			s.cells[i].mark = s.markGlyph(c, sel)
			s.cells[i].markGap = s.cells[i].mark + " "
		}
		return s
	}
	pal, colour := paletteFor(profile, isDark)
	base := lipgloss.NewStyle()
	fg := func(st lipgloss.Style, c color.Color) lipgloss.Style {
		if c == nil {
			return st
		}
		return st.Foreground(c)
	}
	dim := base.Faint(true)
	if pal.dim != nil {
		dim = base.Foreground(pal.dim)
	}
	statusStyle := [4]lipgloss.Style{
		registry.Assigned:   base,
		registry.Reserved:   fg(base, pal.reserved),
		registry.Unassigned: dim,
		registry.Other:      fg(base, pal.other),
	}
	listen := fg(base, pal.listen).Bold(true)
	private := fg(base, pal.private).Bold(true)
	away := fg(base, pal.accent)
	if pal.accent == nil {
		away = base.Underline(true) // NO_COLOR: the glyph, underlined
	}
	title := fg(base, pal.title).Bold(true)

	for st := range statusStyle {
		s.status[st] = sgrOf(statusStyle[st])
	}
	for i := range s.cells {
		c, sel := Cell(i&(numCellStates-1)), i&numCellStates != 0
		st, mk := c.Status(), c.Mark()
		if mk >= numMarks {
			continue // not a state MakeCell produces
		}
		num := statusStyle[st]
		markSt := num
		switch mk {
		case MarkNone:
		case MarkLook:
			num, markSt = private, private
		case MarkAway:
			num, markSt = num.Underline(true), away
		default:
			num, markSt = num.Bold(true).Underline(true), listen
		}
		if c.Match() {
			if colour {
				num = num.Background(pal.matchBg).Foreground(pal.matchFg).Faint(false)
			} else {
				num = num.Underline(true)
			}
			if mk == MarkNone {
				markSt = fg(base, pal.accent).Bold(true)
			}
		}
		if c.Dim() {
			num, markSt = num.Faint(true), markSt.Faint(true)
		}
		if sel {
			// One reverse block over number and marker: the selection is
			// the most important thing on screen and must survive NO_COLOR.
			num = num.Reverse(true).Bold(true).Faint(false)
			markSt = num
		}
		glyph, msgr := s.markGlyph(c, sel), sgrOf(markSt)
		lk := cellLook{num: sgrOf(num), mark: msgr.Wrap(glyph), markGap: msgr.Wrap(glyph + " ")}
		if sel {
			lk.markGap = lk.mark + " "
		}
		s.cells[i] = lk
	}
	s.Label = sgrOf(dim)
	s.Rule = s.Label
	s.Dim = s.Label
	s.Key = s.Label
	s.Bold = sgrOf(base.Bold(true))
	s.Title = sgrOf(title)
	s.Head = sgrOf(base.Bold(true))
	s.Listen = sgrOf(listen)
	s.Private = sgrOf(private)
	s.Away = sgrOf(away)
	s.Warn = sgrOf(fg(base, pal.warn))
	s.Err = sgrOf(fg(base, pal.err))
	s.Active = sgrOf(base.Reverse(true))
	s.HelpFrame = base.Border(g.Border).Padding(0, 1)
	if pal.accent != nil {
		s.HelpFrame = s.HelpFrame.BorderForeground(pal.accent)
	}
	return s
}

// markGlyph is the marker column of a cell: selection, then listener
// marks, then a search match, then the status.
func (sty *Styles) markGlyph(c Cell, sel bool) string {
	g := sty.G
	switch mk := c.Mark(); {
	case sel:
		return g.Selected
	case mk == MarkLook:
		return g.Private
	case mk != MarkNone && mk < numMarks:
		return markLetters[mk]
	case c.Match():
		return g.Match
	}
	return g.StatusGlyph(c.Status())
}

// look returns the pre-rendered state of a cell.
func (sty *Styles) look(c Cell, selected bool) *cellLook {
	i := int(c)
	if selected {
		i |= numCellStates
	}
	return &sty.cells[i]
}
