package views

import "testing"

func TestSparkline(t *testing.T) {
	for _, c := range []struct {
		xs   []int
		w    int
		g    *Glyphs
		want string
	}{
		{nil, 10, &UnicodeGlyphs, ""},
		{[]int{4, 4, 4}, 10, &UnicodeGlyphs, ""}, // flat: nothing to see, nothing repaints
		{[]int{0, 7}, 10, &UnicodeGlyphs, "▁█"},
		{[]int{5, 3}, 10, &UnicodeGlyphs, "█▅"}, // from 0: heights read as sizes
		{[]int{1, 2, 3, 4, 5, 6, 7, 8}, 3, &UnicodeGlyphs, "▆▇█"},
		{[]int{0, 7}, 10, &ASCIIGlyphs, "_#"},
		{[]int{0, 7}, 0, &UnicodeGlyphs, ""},
	} {
		if got := Sparkline(c.xs, c.w, c.g); got != c.want {
			t.Errorf("Sparkline(%v, %d) = %q, want %q", c.xs, c.w, got, c.want)
		}
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[uint32]string{0: "0\u00a0B", 768: "768\u00a0B", 212992: "208\u00a0KiB", 4 << 20: "4\u00a0MiB", 1500: "1500\u00a0B", 25000: "24\u00a0KiB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
