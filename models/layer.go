package models

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// layer is one step of a model: it knows its parameters and how to add its
// computation to a graph. Shapes are per sample (without the batch). Each
// layer type lives in a file of its own and is registered in layerTypes.
type layer interface {
	// spec returns the layer's spec with its defaults filled in.
	spec() LayerSpec
	outShape() []int
	params() []*Param
	// forward adds the layer to b's graph, with dlgo's fused ops or, when
	// b.gorgonia is set, with Gorgonia's built-in ops only. A layer with an
	// activation takes it from b.activation, which leaves it out of the
	// output layer: the graph's output is the values before the output
	// activation, from which losses are computed stably.
	forward(b *builder, x *G.Node) (*G.Node, error)
}

// workSizer is a layer whose inference ops hold more values per sample
// than its output (a convolution's unrolled patches); -1 when they would
// be more than maxWorkValues.
type workSizer interface {
	workValues() int
}

// product returns the product of positive sizes and whether it is at most
// limit, computed without overflowing.
func product(limit int, sizes ...int) (int, bool) {
	n := 1
	for _, d := range sizes {
		if d < 1 || d > limit/n {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// layerType is what the model builder knows of a layer type.
type layerType struct {
	// title is the Keras class name, shown by Summary.
	title string
	// fields are the LayerSpec fields the type reads, by JSON name; the
	// others must be zero.
	fields []string
	// activates says the layer applies an activation, which can be the
	// model's output activation.
	activates bool
	// reshapes says the layer only rearranges values, so an output
	// activation may come before it.
	reshapes bool
	// terms says the layer adds terms to the loss (Net.Terms) and noise
	// inputs to its graphs (Net.Noise).
	terms bool
	// build makes the layer for per-sample input shape in.
	build func(s LayerSpec, in []int, c initContext) (layer, error)
}

// initContext is what layers need to create their parameters.
type initContext struct {
	dt  tensor.Dtype
	rng *rand.Rand
}

// layerTypes registers every layer type: a new one is a file with its
// build function and tests, and one line here.
var layerTypes = map[string]layerType{
	LayerDense:           {title: "Dense", fields: []string{"units", "activation"}, activates: true, build: newDense},
	LayerActivation:      {title: "Activation", fields: []string{"activation"}, activates: true, build: newActivationLayer},
	LayerDropout:         {title: "Dropout", fields: []string{"rate"}, build: newDropout},
	LayerNormalization:   {title: "Normalization", build: newNormalization},
	LayerBatchNorm:       {title: "BatchNormalization", fields: []string{"momentum", "epsilon"}, build: newBatchNorm},
	LayerConv2D:          {title: "Conv2D", fields: []string{"filters", "kernel", "stride", "padding", "activation"}, activates: true, build: newConv2D},
	LayerConv2DTranspose: {title: "Conv2DTranspose", fields: []string{"filters", "kernel", "stride", "padding", "output_padding", "activation"}, activates: true, build: newConv2DTranspose},
	LayerMaxPool2D:       {title: "MaxPooling2D", fields: []string{"kernel", "stride"}, build: newMaxPool2D},
	LayerAvgPool2D:       {title: "AveragePooling2D", fields: []string{"kernel", "stride"}, build: newAvgPool2D},
	LayerUpSample2D:      {title: "UpSampling2D", fields: []string{"size"}, build: newUpSample2D},
	LayerFlatten:         {title: "Flatten", reshapes: true, build: newFlatten},
	LayerReshape:         {title: "Reshape", fields: []string{"shape"}, reshapes: true, build: newReshape},
	LayerSampling:        {title: "Sampling", terms: true, build: newSampling},
}

// LayerTypes returns the names of the layer types, sorted.
func LayerTypes() []string {
	names := make([]string, 0, len(layerTypes))
	for n := range layerTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// layerName is what a layer's name may be: it names parameters, which are
// member names in a model file.
var layerName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)

// newLayer builds the layer s for per-sample input shape in.
func newLayer(s LayerSpec, in []int, c initContext) (layer, error) {
	t, ok := layerTypes[s.Type]
	if !ok {
		return nil, fmt.Errorf("layer %s: unknown layer type %q (want one of %s)", s.Name, s.Type, strings.Join(LayerTypes(), ", "))
	}
	if !layerName.MatchString(s.Name) {
		return nil, fmt.Errorf("layer name %q: use 1 to 64 letters, digits, '_', '-' or '.', not starting with '.' or '-'", s.Name)
	}
	for _, f := range setFields(s) {
		if !slices.Contains(t.fields, f) {
			return nil, fmt.Errorf("layer %s: a %s layer has no %q setting (its settings: %s)", s.Name, s.Type, f, fieldList(t.fields))
		}
	}
	return t.build(s, in, c)
}

func fieldList(fields []string) string {
	if len(fields) == 0 {
		return "none"
	}
	return strings.Join(fields, ", ")
}

// setFields returns the JSON names of the fields of s, other than type
// and name, that are not zero.
func setFields(s LayerSpec) []string {
	js, err := json.Marshal(s)
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(js, &m); err != nil {
		return nil
	}
	delete(m, "type")
	delete(m, "name")
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// builder carries what layers need while adding themselves to a graph.
type builder struct {
	g     *G.ExprGraph
	dt    tensor.Dtype
	batch int
	// train says the graph trains: batch normalization uses the batch's
	// statistics. dropout says dropout layers are active (their masks are
	// inputs); training graphs have it, and so do those of
	// PredictWithDropout.
	train, dropout bool
	net            *Net
	nodes          map[*Param]*G.Node
	// needGrad says whether the layer's input depends on a trainable
	// parameter, so that its gradient is needed; the first layers see only
	// data and can skip it.
	needGrad bool
	// gorgonia says to build from Gorgonia's built-in ops only.
	gorgonia bool
	// output says the layer being added is the output layer, which leaves
	// out its activation.
	output bool
}

// node returns p's node in the graph under construction.
func (b *builder) node(p *Param) *G.Node { return b.nodes[p] }

// activation returns the activation a layer applies in the graph: its own,
// or linear for the output layer.
func (b *builder) activation(act string) string {
	if b.output {
		return Linear
	}
	return act
}

// shape returns a per-sample shape with the batch in front.
func (b *builder) shape(perSample []int) tensor.Shape {
	return append(tensor.Shape{b.batch}, perSample...)
}

// constant adds a named constant tensor of the model's dtype to the graph:
// Gorgonia will not mix float32 nodes with float64 constants.
func (b *builder) constant(name string, shape []int, v []float64) *G.Node {
	var backing any = v
	if b.dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		backing = f
	}
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
	return G.NewTensor(b.g, b.dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
}

// scalar returns a scalar constant of the model's dtype.
func (b *builder) scalar(v float64) *G.Node {
	if b.dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// wrap prefixes a layer's errors with its name.
func wrap(s LayerSpec, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("layer %s: %w", s.Name, err)
}

// convOut returns the output size of a convolution or pooling window of
// size k moved by stride over n values padded with pad on each side, or
// an error if the window does not fit. It guards against sizes that
// overflow.
func convOut(n, k, stride, pad int) (int, error) {
	const limit = 1 << 24
	if n < 1 || k < 1 || stride < 1 || pad < 0 || n > limit || k > limit || stride > limit || pad > limit {
		return 0, fmt.Errorf("sizes out of range: input %d, window %d, stride %d, padding %d", n, k, stride, pad)
	}
	if n+2*pad < k {
		return 0, fmt.Errorf("window %d does not fit the padded input %d", k, n+2*pad)
	}
	return (n+2*pad-k)/stride + 1, nil
}
