package graphviz

import (
	"bytes"
	"errors"
	"flag"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// tanhGraph builds e = tanh(a·b) with its gradients and runs it once.
func tanhGraph(t *testing.T) (g *G.ExprGraph, a, b, c, e *G.Node) {
	t.Helper()
	g = G.NewGraph()
	a = G.NewScalar(g, tensor.Float64, G.WithName("a"), G.WithValue(2.0))
	b = G.NewScalar(g, tensor.Float64, G.WithName("b"), G.WithValue(-0.5))
	c = G.Must(G.Mul(a, b))
	e = G.Must(G.Tanh(c))
	if _, err := G.Grad(e, a, b); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return g, a, b, c, e
}

// The DOT of a small graph with its gradients, values and derivatives is
// what testdata/tanh.dot holds (go test -update rewrites it).
func TestDOTGolden(t *testing.T) {
	g, _, _, c, e := tanhGraph(t)
	got := DOT(g, Options{Title: "e = tanh(a·b)", Outputs: G.Nodes{e}, Labels: map[*G.Node]string{c: "c", e: "e"},
		Values: true, Derivatives: true})
	path := filepath.Join("testdata", "tanh.dot")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("DOT differs from %s:\n%s", path, got)
	}
}

// nodeLine returns the DOT statement of the node whose label starts with
// prefix.
func nodeLine(t *testing.T, dot, prefix string) string {
	t.Helper()
	for _, l := range strings.Split(dot, "\n") {
		if strings.Contains(l, `[label="`+prefix) {
			return l
		}
	}
	t.Fatalf("no node labelled %q in\n%s", prefix, dot)
	return ""
}

// The parts of the picture: values, derivative labels, and the colours
// that tell data, parameters, forward and gradient nodes apart.
func TestDOTParts(t *testing.T) {
	g, a, _, c, e := tanhGraph(t)
	dot := DOT(g, Options{Outputs: G.Nodes{e}, Params: G.Nodes{a}, Labels: map[*G.Node]string{c: "c", e: "e"},
		Values: true, Derivatives: true})
	for _, tt := range []struct{ prefix, want string }{
		{`a\n= 2`, colourParam},
		{`b\n= -0.5`, colourData},
		{`c = ×\n= -1`, colourOp},
		{`e = tanh\n= -0.7616`, colourOp},
		{`∂e/∂c\n×\n= 0.42`, colourGradient},
		{`∂e/∂a\n×\n= -0.21`, colourGradient},
		{`∂e/∂b\n×\n= 0.8399`, colourGradient},
		{`∂e/∂e\n1`, "plaintext"},
	} {
		if l := nodeLine(t, dot, tt.prefix); !strings.Contains(l, tt.want) {
			t.Errorf("node %q: %s; want %s", tt.prefix, l, tt.want)
		}
	}
	// a and b feed c; four derivative arrows (a, b, c, e); the subtraction
	// 1 - tanh² numbers its operands, the products do not.
	for _, want := range []string{
		"n0 -> n2;", "n1 -> n2;", "n2 -> n3;",
	} {
		if !strings.Contains(dot, want) {
			t.Errorf("DOT lacks %q:\n%s", want, dot)
		}
	}
	if n := strings.Count(dot, `label="∂"`); n != 4 {
		t.Errorf("%d derivative arrows; want 4 (a, b, c, e):\n%s", n, dot)
	}
	if n := len(regexp.MustCompile(`taillabel="[01]"`).FindAllString(dot, -1)); n != 2 {
		t.Errorf("%d numbered operands; want 2 (those of 1 - tanh²):\n%s", n, dot)
	}
	// Without outputs nothing is a gradient node; without Values, no
	// values; without Derivatives, no derivative arrows.
	plain := DOT(g, Options{})
	for _, bad := range []string{colourGradient, "= -0.5", "∂"} {
		if strings.Contains(plain, bad) {
			t.Errorf("DOT with no options contains %q:\n%s", bad, plain)
		}
	}
	if !strings.Contains(plain, "rankdir=TB") || !strings.Contains(DOT(g, Options{LeftToRight: true}), "rankdir=LR") {
		t.Error("LeftToRight does not set rankdir")
	}
	if !strings.Contains(plain, "dpi=96;") || !strings.Contains(DOT(g, Options{DPI: 72}), "dpi=72;") {
		t.Error("DPI does not set dpi, or its default is not 96")
	}
}

// Tensors show their shapes, and their values only when small.
func TestDOTShapesAndValues(t *testing.T) {
	g := G.NewGraph()
	small := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("v"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2.5, -3}))))
	big := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("W \"big\""), G.WithValue(tensor.New(tensor.WithShape(3, 4), tensor.Of(tensor.Float64))))
	_ = G.Must(G.Mul(G.Must(G.Reshape(small, tensor.Shape{1, 3})), big))
	G.NewScalar(g, tensor.Float32, G.WithName("s"), G.WithValue(float32(0.25)))
	dot := DOT(g, Options{Values: true})
	nodeLine(t, dot, `s\n= 0.25"`)
	if l := nodeLine(t, dot, `v\n(3)\n= [1 2.5 -3]`); !strings.Contains(l, "ellipse") {
		t.Errorf("the vector's node: %s", l)
	}
	if l := nodeLine(t, dot, `W \"big\"\n(3, 4)"`); strings.Contains(l, "= [") {
		t.Errorf("a 12-value matrix shows its values: %s", l)
	}
	nodeLine(t, dot, `A × B\n(1, 4)`)
}

// dotInstalled says whether Graphviz's dot is there; in CI (CI=1) it must
// be, since .ci/run installs it.
func dotInstalled(t *testing.T) bool {
	t.Helper()
	if _, err := exec.LookPath("dot"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but Graphviz's dot is not installed: .ci/run installs the graphviz package")
		}
		t.Skip("Graphviz's dot is not installed (apt-get install graphviz)")
		return false
	}
	return true
}

func TestPNG(t *testing.T) {
	dotInstalled(t)
	g, _, _, c, e := tanhGraph(t)
	b, err := PNG(DOT(g, Options{Outputs: G.Nodes{e}, Labels: map[*G.Node]string{c: "c", e: "e"}, Values: true, Derivatives: true}))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if s := img.Bounds().Size(); s.X < 200 || s.Y < 300 {
		t.Errorf("the picture is %v pixels; want at least 200 × 300 for 9 nodes in 6 ranks", s)
	}
	svg, err := Render(DOT(g, Options{}), "svg")
	if err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("Render(svg) = %.40q, %v", svg, err)
	}
	if _, err := Render("digraph { a -> }", "png"); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("Render of bad DOT: %v; want dot's syntax error", err)
	}
	if _, err := Render("digraph {}", "png; rm -rf /"); err == nil {
		t.Error("Render accepted a format that is not a name")
	}
}

func TestRenderWithoutDot(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := PNG("digraph {}"); !errors.Is(err, ErrNoDot) {
		t.Errorf("PNG without dot on PATH: %v; want ErrNoDot", err)
	}
}
