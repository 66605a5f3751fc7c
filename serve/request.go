package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// inferRequest is the protocol's inference request, with the input
// tensor's data already parsed.
type inferRequest struct {
	ID      string
	Inputs  []requestInput
	Outputs []struct {
		Name       string                     `json:"name"`
		Parameters map[string]json.RawMessage `json:"parameters"`
	}
}

type requestInput struct {
	Name       string
	Shape      []int64
	Datatype   string
	Parameters map[string]json.RawMessage
	// Data holds the numbers of "data", when it parsed as numbers; DataErr
	// says why it did not. HasData says the field was there.
	Data    []float32
	DataErr error
	HasData bool
}

// decodeInferRequest reads an inference request in one pass over its
// bytes. The tensor data, which is nearly all of a request, is parsed
// straight into float32s by parseNumbers; the small fields go through
// encoding/json. (json.Unmarshal of the whole body would scan the data
// twice more, to validate it and to skip it, which took more time than
// parsing it.) Keys are matched as the protocol writes them (encoding/json
// would take any case). The data's problems are kept apart, to be reported after
// the input's name, datatype and shape, which explain them better.
func decodeInferRequest(body []byte) (*inferRequest, error) {
	s := &scanner{b: body}
	req := &inferRequest{}
	err := s.object(func(key string) error {
		switch key {
		case "id":
			return s.decode(&req.ID)
		case "inputs":
			return s.array(func() error {
				var in requestInput
				err := s.object(func(key string) error {
					switch key {
					case "name":
						return s.decode(&in.Name)
					case "datatype":
						return s.decode(&in.Datatype)
					case "shape":
						return s.decode(&in.Shape)
					case "parameters":
						return s.decode(&in.Parameters)
					case "data":
						return s.numbers(&in)
					}
					return s.decode(new(json.RawMessage))
				})
				req.Inputs = append(req.Inputs, in)
				return err
			})
		case "outputs":
			return s.decode(&req.Outputs)
		}
		return s.decode(new(json.RawMessage))
	})
	if err != nil {
		return nil, err
	}
	if s.skipSpace(); s.i != len(s.b) {
		return nil, s.errorf("unexpected %s after the request", excerpt(s.b[s.i:]))
	}
	return req, nil
}

// scanner walks a JSON document.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", s.i, fmt.Sprintf(format, args...))
}

func (s *scanner) skipSpace() { s.i = skipSpace(s.b, s.i) }

// null consumes a null, which stands for an empty object or array as in
// encoding/json, and reports whether there was one.
func (s *scanner) null() bool {
	s.skipSpace()
	if bytes.HasPrefix(s.b[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	return false
}

// object walks an object, calling field with each key while the scanner
// is at its value, which field must consume.
func (s *scanner) object(field func(key string) error) error {
	if s.null() {
		return nil
	}
	if s.skipSpace(); s.i == len(s.b) || s.b[s.i] != '{' {
		return s.errorf("want an object")
	}
	s.i++
	if s.skipSpace(); s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		var key string
		if err := s.decode(&key); err != nil {
			return err
		}
		if s.skipSpace(); s.i == len(s.b) || s.b[s.i] != ':' {
			return s.errorf("want ':' after key %q", key)
		}
		s.i++
		s.skipSpace()
		if err := field(key); err != nil {
			return err
		}
		s.skipSpace()
		switch {
		case s.i < len(s.b) && s.b[s.i] == ',':
			s.i++
		case s.i < len(s.b) && s.b[s.i] == '}':
			s.i++
			return nil
		default:
			return s.errorf("want ',' or '}' in an object")
		}
	}
}

// array walks an array, calling elem at each element, which elem must
// consume.
func (s *scanner) array(elem func() error) error {
	if s.null() {
		return nil
	}
	if s.skipSpace(); s.i == len(s.b) || s.b[s.i] != '[' {
		return s.errorf("want an array")
	}
	s.i++
	if s.skipSpace(); s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		s.skipSpace()
		if err := elem(); err != nil {
			return err
		}
		s.skipSpace()
		switch {
		case s.i < len(s.b) && s.b[s.i] == ',':
			s.i++
		case s.i < len(s.b) && s.b[s.i] == ']':
			s.i++
			return nil
		default:
			return s.errorf("want ',' or ']' in an array")
		}
	}
}

// decode decodes the value at the scanner into v with encoding/json.
func (s *scanner) decode(v any) error {
	s.skipSpace()
	n, err := valueLen(s.b[s.i:])
	if err != nil {
		return s.errorf("%v", err)
	}
	if err := json.Unmarshal(s.b[s.i:s.i+n], v); err != nil {
		return s.errorf("%v", strings.TrimPrefix(err.Error(), "json: "))
	}
	s.i += n
	return nil
}

// numbers parses the input's data.
func (s *scanner) numbers(in *requestInput) error {
	in.HasData = true
	x, n, err := parseNumbers(nil, s.b[s.i:])
	if err == nil {
		in.Data, in.DataErr = x, nil
		s.i += n
		return nil
	}
	// Not numbers: skip the value, and say why later.
	in.Data, in.DataErr = nil, err
	return s.decode(new(json.RawMessage))
}

// valueLen returns the length of the JSON value at the start of b, which
// json.Unmarshal then validates: strings are skipped by their quotes and
// escapes, arrays and objects by their brackets, other values up to the
// next delimiter.
func valueLen(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, fmt.Errorf("want a value")
	}
	switch b[0] {
	case '"':
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1, nil
			}
		}
		return 0, fmt.Errorf("a string is not closed")
	case '{', '[':
		depth := 0
		for i := 0; i < len(b); i++ {
			switch b[i] {
			case '"':
				n, err := valueLen(b[i:])
				if err != nil {
					return 0, err
				}
				i += n - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, fmt.Errorf("an array or object is not closed")
	}
	i := 0
	for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
		i++
	}
	return i, nil
}
