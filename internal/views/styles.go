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
	"strings"

	"charm.land/lipgloss/v2"
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
	MarkNone    Mark = iota
	MarkTCP          // a TCP listener on an assigned port
	MarkUDP          // a UDP listener on an assigned port
	MarkBoth         // TCP and UDP listeners on an assigned port
	MarkPrivate      // a listener on a port that is not assigned (private use)
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

// Glyphs shown in a cell's marker column (right of the number), so that
// every state survives NO_COLOR and TERM=dumb. Selection wins, then the
// listener marks, then a search match, then the status.
const (
	GlyphSelected   = "◂"
	GlyphPrivate    = "!"
	GlyphMatch      = "*"
	GlyphReserved   = "×"
	GlyphUnassigned = "·"
	GlyphOther      = "~"
)

var markGlyphs = [numMarks]string{"", "t", "u", "b", GlyphPrivate}

var statusGlyphs = [4]string{
	registry.Unassigned: GlyphUnassigned,
	registry.Assigned:   " ",
	registry.Reserved:   GlyphReserved,
	registry.Other:      GlyphOther,
}

// StatusGlyph is the marker a status shows in the grid (" " for assigned).
func StatusGlyph(s registry.Status) string { return statusGlyphs[s&cellStatusMask] }

// cellLook is one pre-rendered cell state: the number's SGR pair and the
// whole marker column (glyph included).
type cellLook struct {
	num  SGR
	mark string
}

// Styles holds every style of the UI, pre-rendered. Build it with
// NewStyles; pass it by pointer (it is large and read-only).
type Styles struct {
	cells [2 * numCellStates]cellLook // index: cell | selected<<7

	status [4]SGR // per registry.Status, for text in pane and legend

	Label, Rule, Dim, Bold, Title, Head, Listen, Private, Warn, Err, Key, Active SGR

	// HelpBox frames the help overlay (a real lipgloss.Style: it has a
	// border and padding, so it cannot be pre-rendered). Rendered only
	// while help is open.
	HelpBox lipgloss.Style
	// HelpKey and HelpDesc style the help overlay's text.
	HelpKey, HelpDesc lipgloss.Style

	IsDark bool
}

// StatusSGR is the style of text naming status s.
func (s *Styles) StatusSGR(st registry.Status) SGR { return s.status[st&cellStatusMask] }

// NewStyles builds the styles for a dark or light background.
//
// Colours are the 16 basic ANSI colours on purpose: they stay distinct on
// 16-colour terminals, follow the user's palette, and their SGR sequences
// are the shortest, which matters for the bytes a cursor move writes. The
// most common state (an assigned port) is unstyled for the same reason, and
// a status's marker shares its number's style so that a run of equal cells
// is one unbroken SGR span.
func NewStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	dim := ld(lipgloss.Color("8"), lipgloss.BrightBlack)
	base := lipgloss.NewStyle()
	statusStyle := [4]lipgloss.Style{
		registry.Assigned:   base,
		registry.Reserved:   base.Foreground(ld(lipgloss.Color("3"), lipgloss.Yellow)),
		registry.Unassigned: base.Foreground(dim),
		registry.Other:      base.Foreground(lipgloss.Magenta),
	}
	listen := base.Foreground(lipgloss.Green).Bold(true)
	private := base.Foreground(lipgloss.Red).Bold(true)
	accent := ld(lipgloss.Blue, lipgloss.Cyan)

	s := &Styles{IsDark: isDark}
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
		mark, markSt := statusGlyphs[st], num
		switch mk {
		case MarkNone:
		case MarkPrivate:
			num, mark, markSt = private, GlyphPrivate, private
		default:
			num, mark, markSt = num.Bold(true).Underline(true), markGlyphs[mk], listen
		}
		if c.Match() {
			num = num.Background(accent).Foreground(lipgloss.Black)
			if mk == MarkNone {
				mark, markSt = GlyphMatch, base.Foreground(accent).Bold(true)
			}
		}
		if c.Dim() {
			num, markSt = num.Faint(true), markSt.Faint(true)
		}
		if sel {
			// One reverse block over number and marker: the selection is
			// the most important thing on screen and must survive NO_COLOR.
			num = num.Reverse(true).Bold(true).Faint(false)
			mark, markSt = GlyphSelected, num
		}
		s.cells[i] = cellLook{num: sgrOf(num), mark: sgrOf(markSt).Wrap(mark)}
	}
	s.Label = sgrOf(base.Foreground(dim))
	s.Rule = s.Label
	s.Dim = s.Label
	s.Key = s.Label
	s.Bold = sgrOf(base.Bold(true))
	s.Title = sgrOf(base.Bold(true).Foreground(accent))
	s.Head = sgrOf(base.Bold(true))
	s.Listen = sgrOf(listen)
	s.Private = sgrOf(private)
	s.Warn = sgrOf(base.Foreground(ld(lipgloss.Color("3"), lipgloss.Yellow)))
	s.Err = sgrOf(base.Foreground(lipgloss.Red))
	s.Active = sgrOf(base.Reverse(true))
	s.HelpBox = base.Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.HelpKey = base.Bold(true)
	s.HelpDesc = base.Foreground(dim)
	return s
}

// look returns the pre-rendered state of a cell.
func (s *Styles) look(c Cell, selected bool) *cellLook {
	i := int(c)
	if selected {
		i |= numCellStates
	}
	return &s.cells[i]
}
