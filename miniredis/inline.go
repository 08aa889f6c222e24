package miniredis

// splitArgs splits an inline request into words by Redis's rules:
// whitespace separates words; "double quotes" take the escapes \n \r \t
// \b \a \\ \" and \xHH; 'single quotes' take only \'. A closing quote must
// be followed by whitespace or the end of the line. ok is false for an
// unterminated quote or a quote closed in the middle of a word.
func splitArgs(line []byte) (words [][]byte, ok bool) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return words, true
		}
		var word []byte
		inDouble, inSingle := false, false
		for done := false; !done; {
			if inDouble || inSingle {
				if i == len(line) {
					return nil, false
				}
			} else if i == len(line) {
				break
			}
			b := line[i]
			switch {
			case inDouble:
				switch {
				case b == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					word = append(word, unhex(line[i+2])<<4|unhex(line[i+3]))
					i += 3
				case b == '\\' && i+1 < len(line):
					i++
					word = append(word, unescape(line[i]))
				case b == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					word = append(word, b)
				}
			case inSingle:
				switch {
				case b == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					word = append(word, '\'')
				case b == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					word = append(word, b)
				}
			default:
				switch b {
				case ' ', '\t', '\r', '\n':
					done = true
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					word = append(word, b)
				}
			}
			i++
		}
		if word == nil {
			word = []byte{}
		}
		words = append(words, word)
	}
}

func isSpace(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func isHex(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}

func unhex(b byte) byte {
	switch {
	case b <= '9':
		return b - '0'
	case b <= 'F':
		return b - 'A' + 10
	default:
		return b - 'a' + 10
	}
}

func unescape(b byte) byte {
	switch b {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return b
}
