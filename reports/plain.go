package reports

import "io"

// plainWriter drops ANSI escape sequences (ESC [ parameters final-byte) on
// their way to w. godog's own colour stripper writes rune by rune, which
// makes its JUnit and Cucumber files slow; the run asks godog for colours
// and strips them here, for the console only.
type plainWriter struct {
	w     io.Writer
	state uint8 // 0 text, 1 after ESC, 2 inside a CSI sequence
	buf   []byte
}

// Plain returns a writer that passes text through without ANSI sequences.
func Plain(w io.Writer) io.Writer { return &plainWriter{w: w} }

func (p *plainWriter) Write(b []byte) (int, error) {
	p.buf = p.buf[:0]
	for _, c := range b {
		switch p.state {
		case 0:
			if c == 0x1b {
				p.state = 1
				continue
			}
			p.buf = append(p.buf, c)
		case 1:
			if c == '[' {
				p.state = 2
				continue
			}
			// A lone ESC is dropped; the byte after it is text.
			p.state = 0
			if c == 0x1b {
				p.state = 1
				continue
			}
			p.buf = append(p.buf, c)
		case 2:
			// Parameters and intermediates run 0x20–0x3f; a final byte
			// 0x40–0x7e ends the sequence. Anything else ends it too.
			if c >= 0x20 && c <= 0x3f {
				continue
			}
			p.state = 0
		}
	}
	if len(p.buf) > 0 {
		if _, err := p.w.Write(p.buf); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}
