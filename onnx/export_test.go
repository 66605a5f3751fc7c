package onnx

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/models"
	"google.golang.org/protobuf/encoding/protowire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fields decodes one protobuf message into its fields: the raw bytes of
// length-delimited ones, the values of varints.
func fields(t *testing.T, b []byte) map[protowire.Number][]any {
	t.Helper()
	out := map[protowire.Number][]any{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		var v any
		switch typ {
		case protowire.VarintType:
			x, n2 := protowire.ConsumeVarint(b)
			v, n = x, n2
		case protowire.BytesType:
			x, n2 := protowire.ConsumeBytes(b)
			v, n = x, n2
		case protowire.Fixed32Type:
			x, n2 := protowire.ConsumeFixed32(b)
			v, n = x, n2
		default:
			t.Fatalf("unexpected wire type %v", typ)
		}
		if n < 0 {
			t.Fatalf("field %d: %v", num, protowire.ParseError(n))
		}
		out[num] = append(out[num], v)
		b = b[n:]
	}
	return out
}

func strs(vs []any) []string {
	var out []string
	for _, v := range vs {
		out = append(out, string(v.([]byte)))
	}
	return out
}

// listing decodes an exported file into a readable listing of its graph:
// the model's header, then one line per node, then the outputs.
func listing(t *testing.T, data []byte) string {
	t.Helper()
	m := fields(t, data)
	var b strings.Builder
	opset := fields(t, m[8][0].([]byte))
	fmt.Fprintf(&b, "ir_version %d, opset %d, producer %s\n", m[1][0], opset[2][0], m[2][0])
	g := fields(t, m[7][0].([]byte))
	for _, n := range g[1] {
		node := fields(t, n.([]byte))
		fmt.Fprintf(&b, "  %s = %s(%s)", strs(node[2])[0], strs(node[4])[0], strings.Join(strs(node[1]), ", "))
		var attrs []string
		for _, a := range node[5] {
			attr := fields(t, a.([]byte))
			name := strs(attr[1])[0]
			switch {
			case attr[8] != nil:
				var ints []int64
				for _, v := range attr[8] {
					ints = append(ints, int64(v.(uint64)))
				}
				attrs = append(attrs, fmt.Sprintf("%s=%v", name, ints))
			case attr[3] != nil:
				attrs = append(attrs, fmt.Sprintf("%s=%d", name, int64(attr[3][0].(uint64))))
			case attr[2] != nil:
				attrs = append(attrs, fmt.Sprintf("%s=%v", name, math.Float32frombits(attr[2][0].(uint32))))
			case attr[4] != nil:
				attrs = append(attrs, fmt.Sprintf("%s=%s", name, attr[4][0]))
			default:
				attrs = append(attrs, name)
			}
		}
		if attrs != nil {
			fmt.Fprintf(&b, " {%s}", strings.Join(attrs, " "))
		}
		b.WriteByte('\n')
	}
	var outs []string
	for _, o := range g[12] {
		outs = append(outs, strs(fields(t, o.([]byte))[1])[0])
	}
	fmt.Fprintf(&b, "  outputs: %s\n", strings.Join(outs, ", "))
	return b.String()
}

// The graph of each model, as a listing checked against a golden file: a
// change to the export shows in review.
func TestGraphsGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range exportCases(t) {
		x, err := Export(c.m)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fmt.Fprintf(&b, "%s: %s → %s\n", c.name, x.Inputs, x.Outputs)
		b.WriteString(listing(t, x.Data))
	}
	path := filepath.Join("testdata", "graphs.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("graphs differ from %s (go test -update to accept):\n%s", path, b.String())
	}
}

// A layer type without an export is an error that names the layer.
func TestUnknownLayerIsAnError(t *testing.T) {
	m, err := models.NewLogisticRegression(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	e := &exporter{m: m, spec: m.Spec()}
	_, err = e.layer(models.LayerSpec{Type: "lstm", Name: "lstm_1"}, "input", false)
	if err == nil || !strings.Contains(err.Error(), `"lstm"`) {
		t.Errorf("exporting an lstm layer: %v", err)
	}
	e.spec.Layers = append(e.spec.Layers, models.LayerSpec{Type: "lstm", Name: "lstm_1"})
	if err := e.build(); err == nil || !strings.Contains(err.Error(), "layer lstm_1 (lstm)") {
		t.Errorf("building a graph with an lstm layer: %v", err)
	}
}
