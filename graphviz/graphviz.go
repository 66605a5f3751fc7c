package graphviz

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Options say what DOT draws beyond the nodes and their operands.
type Options struct {
	// Title is written above the graph.
	Title string
	// Outputs are the results of the forward computation, such as the
	// loss. With them, the nodes they are computed from form the forward
	// graph and every other node (what G.Grad adds) is drawn as a
	// gradient node, in red. Without them, every node is drawn as part of
	// the forward graph.
	Outputs G.Nodes
	// Params are the nodes of trainable parameters (weights and biases),
	// drawn in orange; the other inputs (data, targets) are grey.
	Params G.Nodes
	// Labels names nodes for the picture, such as "c" for the node of
	// a·b; other nodes are labelled with their own names (inputs) or
	// operations.
	Labels map[*G.Node]string
	// Values writes each node's value, after a run of the graph, into its
	// label: scalars, and tensors of at most 6 values.
	Values bool
	// Derivatives marks the derivatives G.Grad computed: for each input
	// and each node in Labels, a dashed red arrow goes to the node holding
	// the derivative of the first output with respect to it (Node.Deriv),
	// and that node is labelled ∂e/∂c, e and c the two nodes' names (e is
	// "L" if the output has no label).
	Derivatives bool
	// LeftToRight lays the graph out from left to right instead of from
	// top to bottom.
	LeftToRight bool
	// DPI is the resolution of a rendered picture, in dots per inch (0
	// means 96, as plots' PNGs): 72 draws a large graph smaller.
	DPI int
}

// The colours of the picture.
const (
	colourData     = "#e8e8e8"
	colourParam    = "#ffd8a8"
	colourOp       = "#d0e4f5"
	colourGradient = "#f8d0d0"
	colourLine     = "#333333"
	colourGradLine = "#c03030"
)

// DOT writes g in Graphviz's DOT language: a node per graph node, labelled
// with its name or operation (and shape, and value if asked), and an arrow
// from each operand to the operation that uses it, so that values flow in
// the direction of the arrows. Inputs are ellipses; operations are boxes;
// constants are plain text. The output is deterministic: nodes are
// written in the order of their IDs.
func DOT(g *G.ExprGraph, opts Options) string {
	nodes := g.AllNodes()
	forward := map[*G.Node]bool{}
	var mark func(n *G.Node)
	mark = func(n *G.Node) {
		if forward[n] {
			return
		}
		forward[n] = true
		for _, c := range children(g, n) {
			mark(c)
		}
	}
	for _, o := range opts.Outputs {
		mark(o)
	}
	param := map[*G.Node]bool{}
	for _, p := range opts.Params {
		param[p] = true
	}
	var b strings.Builder
	b.WriteString("digraph G {\n")
	dir := "TB"
	if opts.LeftToRight {
		dir = "LR"
	}
	dpi := opts.DPI
	if dpi <= 0 {
		dpi = 96
	}
	fmt.Fprintf(&b, "\trankdir=%s;\n\tnodesep=0.25;\n\tranksep=0.35;\n\tdpi=%d;\n", dir, dpi)
	fmt.Fprintf(&b, "\tnode [fontname=\"Helvetica\", fontsize=11, penwidth=1, color=%q];\n", colourLine)
	fmt.Fprintf(&b, "\tedge [fontname=\"Helvetica\", fontsize=9, color=%q, arrowsize=0.6];\n", colourLine)
	if opts.Title != "" {
		fmt.Fprintf(&b, "\tlabelloc=t;\n\tfontname=\"Helvetica\";\n\tfontsize=13;\n\tlabel=%s;\n", quote(opts.Title))
	}
	derivOf := map[*G.Node]string{}
	if opts.Derivatives {
		out := "L"
		if len(opts.Outputs) > 0 && opts.Labels[opts.Outputs[0]] != "" {
			out = opts.Labels[opts.Outputs[0]]
		}
		for _, n := range nodes {
			if d := n.Deriv(); d != nil && d != n && hasName(n, opts) {
				derivOf[d] = fmt.Sprintf("∂%s/∂%s", out, name(n, opts))
			}
		}
	}
	for _, n := range nodes {
		gradient := len(opts.Outputs) > 0 && !forward[n]
		label := nodeLabel(n, opts)
		if d, ok := derivOf[n]; ok {
			label = d + "\n" + label
		}
		var attrs string
		switch {
		case isConstant(n):
			attrs = "shape=plaintext"
		case n.Op() == nil && param[n]:
			attrs = fmt.Sprintf("shape=ellipse, style=filled, fillcolor=%q", colourParam)
		case n.Op() == nil:
			attrs = fmt.Sprintf("shape=ellipse, style=filled, fillcolor=%q", colourData)
		case gradient:
			attrs = fmt.Sprintf("shape=box, style=\"rounded,filled\", fillcolor=%q, color=%q", colourGradient, colourGradLine)
		default:
			attrs = fmt.Sprintf("shape=box, style=\"rounded,filled\", fillcolor=%q", colourOp)
		}
		fmt.Fprintf(&b, "\tn%d [label=%s, %s];\n", n.ID(), quote(label), attrs)
	}
	for _, n := range nodes {
		kids := children(g, n)
		for i, c := range kids {
			var attrs []string
			if len(opts.Outputs) > 0 && !forward[n] {
				attrs = append(attrs, fmt.Sprintf("color=%q", colourGradLine))
			}
			if len(kids) > 1 && !commutes(n) {
				// The operands' order matters (a - b, A × B): number them.
				attrs = append(attrs, fmt.Sprintf("taillabel=\"%d\"", i), "labeldistance=1.2")
			}
			list := ""
			if len(attrs) > 0 {
				list = " [" + strings.Join(attrs, ", ") + "]"
			}
			fmt.Fprintf(&b, "\tn%d -> n%d%s;\n", c.ID(), n.ID(), list)
		}
	}
	if opts.Derivatives {
		for _, n := range nodes {
			if d := n.Deriv(); d != nil && d != n && hasName(n, opts) {
				fmt.Fprintf(&b, "\tn%d -> n%d [style=dashed, color=%q, fontcolor=%q, label=\"∂\", constraint=false];\n",
					n.ID(), d.ID(), colourGradLine, colourGradLine)
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// children returns n's operands in order.
func children(g *G.ExprGraph, n *G.Node) []*G.Node {
	var out []*G.Node
	it := g.From(n.ID())
	for it.Next() {
		if c, ok := it.Node().(*G.Node); ok {
			out = append(out, c)
		}
	}
	return out
}

// isConstant says whether n is a constant.
func isConstant(n *G.Node) bool {
	return n.Op() != nil && strings.HasPrefix(n.Op().String(), "const ")
}

// commutes says whether the order of n's operands does not matter, so
// that its arrows need no numbers.
func commutes(n *G.Node) bool {
	switch opLabel(n) {
	case "+", "⊙", "×":
		return true
	}
	return false
}

// retSame matches the flag Gorgonia appends to the names of
// element-wise operations ("+ false").
var retSame = regexp.MustCompile(`^(.+) (true|false)$`)

// symbols renames Gorgonia's operators into the usual notation.
var symbols = map[string]string{">=": "≥", "<=": "≤", "-": "−", "*": "×", "/": "÷"}

// opLabel returns the operation of n in the usual notation: "+" for
// "+ false", "≥" for ">= true", "1" for "const 1".
func opLabel(n *G.Node) string {
	s := n.Op().String()
	if c, ok := strings.CutPrefix(s, "const "); ok {
		return c
	}
	if m := retSame.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	if r, ok := symbols[s]; ok {
		return r
	}
	if s == "⊙" && n.IsScalar() {
		return "×" // the element-wise product of scalars is their product
	}
	return s
}

// hasName says whether n has a name of its own: an input's, or one in
// opts.Labels.
func hasName(n *G.Node, opts Options) bool {
	_, labelled := opts.Labels[n]
	return labelled || (n.Op() == nil && !isConstant(n))
}

// name returns n's label, or its own name.
func name(n *G.Node, opts Options) string {
	if l, ok := opts.Labels[n]; ok {
		return l
	}
	return n.Name()
}

// nodeLabel is n's text: its label or name, its operation, its shape
// (unless scalar) and, if asked, its value.
func nodeLabel(n *G.Node, opts Options) string {
	var lines []string
	name, named := opts.Labels[n]
	switch {
	case n.Op() == nil:
		if !named {
			name = n.Name()
		}
		lines = append(lines, name)
	case isConstant(n):
		return opLabel(n)
	case named:
		lines = append(lines, name+" = "+opLabel(n))
	default:
		lines = append(lines, opLabel(n))
	}
	if s := n.Shape(); len(s) > 0 && !s.IsScalar() {
		lines = append(lines, fmt.Sprint(s))
	}
	if opts.Values {
		if v := valueText(n.Value()); v != "" {
			lines = append(lines, v)
		}
	}
	return strings.Join(lines, "\n")
}

// maxValues is the most values of a tensor written into a label.
const maxValues = 6

// valueText formats a node's value: "= 0.5" or "= [1 2 3]"; "" when there
// is none or it is too large to show.
func valueText(v G.Value) string {
	if v == nil {
		return ""
	}
	var xs []float64
	switch d := v.Data().(type) {
	case float64:
		xs = []float64{d}
	case float32:
		xs = []float64{float64(d)}
	case []float64:
		xs = d
	case []float32:
		for _, x := range d {
			xs = append(xs, float64(x))
		}
	default:
		return ""
	}
	if len(xs) > maxValues || len(xs) == 0 {
		return ""
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.4g", x)
	}
	if t, ok := v.(tensor.Tensor); ok && !t.Shape().IsScalar() {
		return "= [" + strings.Join(parts, " ") + "]"
	}
	return "= " + parts[0]
}

// quote writes s as a DOT string, with its line breaks as centred lines.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// ErrNoDot reports that Graphviz's dot program is not installed.
var ErrNoDot = errors.New("graphviz: the dot program is not installed (Debian and Ubuntu: apt-get install graphviz)")

// Render runs Graphviz's dot program on a graph in the DOT language and
// returns the picture in the given format ("png", "svg", "pdf", ...). It
// returns ErrNoDot if dot is not installed.
func Render(dot, format string) ([]byte, error) {
	if !regexp.MustCompile(`^[a-z0-9]+$`).MatchString(format) {
		return nil, fmt.Errorf("graphviz: output format %q: want a name such as png or svg", format)
	}
	path, err := exec.LookPath("dot")
	if err != nil {
		return nil, ErrNoDot
	}
	cmd := exec.Command(path, "-T"+format)
	cmd.Stdin = strings.NewReader(dot)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("graphviz: dot -T%s: %w: %s", format, err, strings.TrimSpace(stderr.String()))
	}
	return out.Bytes(), nil
}

// PNG renders a graph in the DOT language as a PNG image with dot.
func PNG(dot string) ([]byte, error) { return Render(dot, "png") }
