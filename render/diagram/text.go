package diagram

import (
	"strings"
)

// Light glyphs by stubs (N=1, E=2, S=4, W=8).
var lightGlyph = [16]rune{
	' ', '│', '─', '└', '│', '│', '┌', '├',
	'─', '┘', '─', '┴', '┐', '┤', '┬', '┼',
}

// glyph is the character of a cell.
func glyph(c *cell, ascii bool) rune {
	if c.r != 0 {
		if ascii {
			return asciiRune(c.r)
		}
		return c.r
	}
	all := c.box | c.line
	if all == 0 {
		return ' '
	}
	if ascii {
		return asciiStubs(c, all)
	}
	if c.line == 0 {
		switch c.style {
		case styleRound:
			switch all {
			case stE | stS:
				return '╭'
			case stS | stW:
				return '╮'
			case stN | stE:
				return '╰'
			case stN | stW:
				return '╯'
			}
		case styleHeavy:
			switch all {
			case stE | stS:
				return '┏'
			case stS | stW:
				return '┓'
			case stN | stE:
				return '┗'
			case stN | stW:
				return '┛'
			case stE | stW:
				return '━'
			case stN | stS:
				return '┃'
			}
		}
	}
	if c.style == styleHeavy && c.box == stN|stS {
		switch c.line {
		case stE:
			return '┠'
		case stW:
			return '┨'
		}
	}
	return lightGlyph[all]
}

func asciiStubs(c *cell, all uint8) rune {
	if c.line == 0 {
		switch c.style {
		case styleRound:
			switch all {
			case stE | stS, stS | stW:
				return '.'
			case stN | stE, stN | stW:
				return '\''
			}
		case styleHeavy:
			switch all {
			case stE | stW:
				return '='
			case stN | stS:
				return '#'
			case stE | stS, stS | stW, stN | stE, stN | stW:
				return '#'
			}
		}
	}
	if c.box == stN|stS {
		// A line leaving a box's side: keep the side straight.
		if c.style == styleHeavy {
			return '#'
		}
		return '|'
	}
	switch all {
	case stE | stW, stE, stW:
		return '-'
	case stN | stS, stN, stS:
		return '|'
	}
	return '+'
}

func asciiRune(r rune) rune {
	switch r {
	case '→', '↘':
		return '>'
	case '←', '↙':
		return '<'
	case '↓':
		return 'v'
	case '↑':
		return '^'
	case '⇓':
		return 'V'
	case '╥':
		return '+'
	}
	return r
}

// text writes the layout, trailing spaces trimmed.
func (l *layout) text(b *strings.Builder, ascii bool) {
	for y := range l.grid {
		var line []rune
		for x := range l.grid[y] {
			line = append(line, glyph(&l.grid[y][x], ascii))
		}
		b.WriteString(strings.TrimRight(string(line), " "))
		b.WriteByte('\n')
	}
}
