package models

import (
	"fmt"
	"io"
	"strings"
)

// Summary writes a table of the model's layers, output shapes and
// parameter counts, like Keras' model.summary().
func (m *Model) Summary(w io.Writer) error {
	names := []string{"input (Input)"}
	for _, l := range m.layers {
		s := l.spec()
		typ := layerTitle(s.Type)
		if s.Activation != "" && s.Activation != Linear {
			typ += ", " + s.Activation
		}
		names = append(names, fmt.Sprintf("%s (%s)", s.Name, typ))
	}
	w1 := 28
	for _, n := range names {
		w1 = max(w1, len(n)+1)
	}
	rule := strings.Repeat("_", w1+37)
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n%s\n", m.spec.Name, rule)
	fmt.Fprintf(&b, " %-*s %-25s %s\n", w1, "Layer (type)", "Output Shape", "Param #")
	fmt.Fprintln(&b, strings.Repeat("=", len(rule)))
	fmt.Fprintf(&b, " %-*s %-25s %s\n", w1, names[0], shapeString(m.spec.Input), "0")
	for i, l := range m.layers {
		n := 0
		for _, p := range l.params() {
			n += p.Size()
		}
		fmt.Fprintf(&b, " %-*s %-25s %s\n", w1, names[i+1], shapeString(l.outShape()), groupDigits(n))
	}
	trainable, fixed := m.ParamCount()
	bytes := m.dt.Size()
	fmt.Fprintln(&b, strings.Repeat("=", len(rule)))
	fmt.Fprintf(&b, "Total params: %s (%s)\n", groupDigits(trainable+fixed), byteSize((trainable+fixed)*int(bytes)))
	fmt.Fprintf(&b, "Trainable params: %s (%s)\n", groupDigits(trainable), byteSize(trainable*int(bytes)))
	fmt.Fprintf(&b, "Non-trainable params: %s (%s)\n", groupDigits(fixed), byteSize(fixed*int(bytes)))
	fmt.Fprintln(&b, rule)
	_, err := io.WriteString(w, b.String())
	return err
}

// layerTitle returns the Keras class name of a layer type.
func layerTitle(typ string) string {
	if t, ok := layerTypes[typ]; ok {
		return t.title
	}
	return typ
}

// shapeString formats a per-sample shape with the batch dimension first,
// as Keras does: (None, 28, 28).
func shapeString(shape []int) string {
	parts := []string{"None"}
	for _, d := range shape {
		parts = append(parts, fmt.Sprint(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// groupDigits formats n with thousands separators: 109,386.
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// byteSize formats a byte count as Keras does: 427.29 KB.
func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.2f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
