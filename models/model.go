package models

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/dlgo/dlgo/datasets"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Model is a network of layers with its parameters. It builds symbolic
// Gorgonia graphs of itself on demand: training graphs for the trainer
// (Forward) and inference graphs for prediction (Predict and friends), all
// bound to the same parameter tensors.
//
// A Model is safe for concurrent prediction; training it while predicting
// from another goroutine is not.
type Model struct {
	spec      Spec
	dt        tensor.Dtype
	layers    []layer
	params    []*Param
	inputGrad bool

	// Meta records how the model was made; Save writes it, Load reads it.
	Meta Meta

	mu    sync.Mutex
	infer map[int]*inferNet // inference graphs by batch size
}

// Option configures a model under construction.
type Option func(*options)

type options struct {
	seed       int64
	dt         tensor.Dtype
	scaler     *datasets.Standardizer
	features   []string
	targets    []string
	classes    []string
	name       string
	hasClasses bool
	inputGrad  bool
}

// WithSeed seeds the weight initialisation (default 0): the same seed gives
// the same initial weights.
func WithSeed(seed int64) Option { return func(o *options) { o.seed = seed } }

// WithFloat64 makes the model compute in float64 instead of float32. It is
// about twice as slow; gradient checks use it.
func WithFloat64() Option { return func(o *options) { o.dt = tensor.Float64 } }

// WithStandardizer puts a normalization layer with s's statistics in front
// of the model, so that it takes raw features and the standardisation
// travels with it (Keras' Normalization layer).
func WithStandardizer(s *datasets.Standardizer) Option { return func(o *options) { o.scaler = s } }

// WithInputGradient makes the graphs compute the gradient of the loss
// with respect to the input too (for saliency maps or adversarial
// examples). By default they skip it: training does not need it.
func WithInputGradient() Option { return func(o *options) { o.inputGrad = true } }

// WithName names the model (default: the kind of model, e.g. "mlp").
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithDataInfo records the names of d's features, targets and classes in
// the model, so that predictions can be labelled and inputs checked by name.
func WithDataInfo(d *datasets.Dataset) Option {
	return func(o *options) {
		o.features, o.targets, o.classes = d.Features, d.Targets, d.Classes
		o.hasClasses = d.Classes != nil
	}
}

func buildOptions(opts []Option) options {
	o := options{dt: tensor.Float32}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// New builds a model from a spec, with freshly initialised parameters.
// Layer names left empty are filled in ("dense_1", "dropout_1", ...).
func New(spec Spec, opts ...Option) (*Model, error) {
	o := buildOptions(opts)
	if o.name != "" {
		spec.Name = o.name
	}
	if o.scaler != nil {
		spec.Layers = append([]LayerSpec{{Type: LayerNormalization}}, spec.Layers...)
	}
	if o.features != nil {
		spec.Features = o.features
	}
	if o.targets != nil {
		spec.Targets = o.targets
	}
	if o.hasClasses {
		spec.Classes = o.classes
	}
	switch spec.DType {
	case "", "float32":
		spec.DType = "float32"
		if o.dt == tensor.Float64 {
			spec.DType = "float64"
		}
	case "float64":
	default:
		return nil, fmt.Errorf("models: dtype %q is not float32 or float64", spec.DType)
	}
	m, err := build(spec, newRand(o.seed), maxParamBytes)
	if err != nil {
		return nil, err
	}
	if o.scaler != nil {
		if err := m.setStandardizer(o.scaler); err != nil {
			return nil, err
		}
	}
	m.inputGrad = o.inputGrad
	return m, nil
}

// Size limits that keep a mistaken or hostile spec from exhausting memory.
const (
	maxInputValues = 1 << 26 // per sample
	maxParamBytes  = 1 << 33 // in all
)

// build creates the layers and parameters of spec, refusing models whose
// parameters would take more than maxBytes.
func build(spec Spec, rng *rand.Rand, maxBytes int64) (*Model, error) {
	if spec.Name == "" {
		spec.Name = "model"
	}
	if len(spec.Input) == 0 || tensor.Shape(spec.Input).TotalSize() < 1 || slices.ContainsFunc(spec.Input, func(d int) bool { return d < 1 }) {
		return nil, fmt.Errorf("models: %s: input shape %v must have positive sizes", spec.Name, spec.Input)
	}
	if n := tensor.Shape(spec.Input).TotalSize(); n > maxInputValues {
		return nil, fmt.Errorf("models: %s: input shape %v has %d values per sample; at most %d are supported", spec.Name, spec.Input, n, maxInputValues)
	}
	if len(spec.Layers) == 0 {
		return nil, fmt.Errorf("models: %s: no layers", spec.Name)
	}
	if spec.Features != nil && (len(spec.Input) != 1 || len(spec.Features) != spec.Input[0]) {
		return nil, fmt.Errorf("models: %s: %d feature names for input shape %v", spec.Name, len(spec.Features), spec.Input)
	}
	if err := spec.validateOutput(); err != nil {
		return nil, fmt.Errorf("models: %s: %w", spec.Name, err)
	}
	dt := tensor.Float32
	if spec.DType == "float64" {
		dt = tensor.Float64
	}
	spec.Layers = slices.Clone(spec.Layers)
	nameLayers(spec.Layers)
	m := &Model{spec: spec, dt: dt}
	shape := spec.Input
	for i, ls := range spec.Layers {
		if ls.Type == LayerDense && i < len(spec.Layers)-1 {
			if err := checkHiddenActivation(ls.Name, normActivation(ls.Activation)); err != nil {
				return nil, fmt.Errorf("models: %s: %w", spec.Name, err)
			}
		}
		l, err := newLayer(ls, shape, dt, rng)
		if err != nil {
			return nil, fmt.Errorf("models: %s: %w", spec.Name, err)
		}
		spec.Layers[i] = l.spec()
		m.layers = append(m.layers, l)
		m.params = append(m.params, l.params()...)
		shape = l.outShape()
		if n := tensor.Shape(shape).TotalSize(); n > maxInputValues {
			return nil, fmt.Errorf("models: %s: layer %s outputs %v, %d values per sample; at most %d are supported", spec.Name, ls.Name, shape, n, maxInputValues)
		}
	}
	var bytes int64
	for _, p := range m.params {
		bytes += int64(p.Size()) * int64(dt.Size())
	}
	if bytes > maxBytes {
		return nil, fmt.Errorf("models: %s: its parameters take %d bytes; at most %d are allowed here", spec.Name, bytes, maxBytes)
	}
	for _, p := range m.params {
		p.alloc()
	}
	m.spec = spec
	return m, nil
}

// nameLayers gives every unnamed layer a name "<type>_<n>", numbering each
// type from 1 and skipping names already taken.
func nameLayers(ls []LayerSpec) {
	taken := map[string]bool{}
	for _, l := range ls {
		taken[l.Name] = true
	}
	count := map[string]int{}
	for i := range ls {
		if ls[i].Name != "" {
			continue
		}
		for {
			count[ls[i].Type]++
			name := fmt.Sprintf("%s_%d", ls[i].Type, count[ls[i].Type])
			if !taken[name] {
				ls[i].Name, taken[name] = name, true
				break
			}
		}
	}
}

// setStandardizer copies s's statistics into the normalization layer.
func (m *Model) setStandardizer(s *datasets.Standardizer) error {
	norm, ok := m.layers[0].(*normalization)
	if !ok {
		return fmt.Errorf("models: %s: no normalization layer", m.spec.Name)
	}
	if len(s.Mean) != norm.mean.Size() || len(s.Std) != norm.std.Size() {
		return fmt.Errorf("models: %s: standardizer has %d means and %d deviations for %d features",
			m.spec.Name, len(s.Mean), len(s.Std), norm.mean.Size())
	}
	for i, sd := range s.Std {
		if !(sd > 0) {
			return fmt.Errorf("models: %s: standardizer deviation %d is %v; want > 0", m.spec.Name, i, sd)
		}
	}
	if err := norm.mean.SetFloat64s(s.Mean); err != nil {
		return err
	}
	return norm.std.SetFloat64s(s.Std)
}

// Clone returns an independent copy of the model: the same spec, Meta and
// parameter values, in tensors of its own.
func (m *Model) Clone() (*Model, error) {
	c, err := build(m.spec, newRand(0), maxParamBytes)
	if err != nil {
		return nil, err
	}
	for i, p := range m.params {
		switch d := c.params[i].Value.Data().(type) {
		case []float32:
			copy(d, p.Value.Data().([]float32))
		case []float64:
			copy(d, p.Value.Data().([]float64))
		}
	}
	c.Meta = Meta{Settings: maps.Clone(m.Meta.Settings), Metrics: maps.Clone(m.Meta.Metrics),
		Created: m.Meta.Created, Versions: maps.Clone(m.Meta.Versions)}
	c.inputGrad = m.inputGrad
	return c, nil
}

// Spec returns the model's spec, with every layer named.
func (m *Model) Spec() Spec { return m.spec }

// Name returns the model's name.
func (m *Model) Name() string { return m.spec.Name }

// DType returns the model's element type, tensor.Float32 or tensor.Float64.
func (m *Model) DType() tensor.Dtype { return m.dt }

// InputShape returns the shape of one input sample.
func (m *Model) InputShape() []int { return slices.Clone(m.spec.Input) }

// InputDim returns the number of input values per sample.
func (m *Model) InputDim() int { return tensor.Shape(m.spec.Input).TotalSize() }

// Loss returns the loss the model trains with.
func (m *Model) Loss() Loss { return m.spec.Loss() }

// Params returns the model's parameters in a stable order: layer by layer,
// kernel before bias. Their names are the keys of a model file.
func (m *Model) Params() []*Param { return m.params }

// Param returns the parameter with the given name, or nil.
func (m *Model) Param(name string) *Param {
	for _, p := range m.params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// ParamCount returns the number of trainable and non-trainable values.
func (m *Model) ParamCount() (trainable, fixed int) {
	for _, p := range m.params {
		if p.Trainable {
			trainable += p.Size()
		} else {
			fixed += p.Size()
		}
	}
	return trainable, fixed
}

// Net is one graph built from a model by Forward.
type Net struct {
	// X is the input node, of shape (batch, input shape...).
	X *G.Node
	// Out is the output layer's value before its activation (the logits),
	// of shape (batch, units).
	Out *G.Node
	// Params holds the graph's node for each of the model's parameters, in
	// the order of Model.Params.
	Params G.Nodes
	// Masks lists the dropout masks a training graph needs filled before
	// each run.
	Masks []Mask
}

// Mask is a dropout layer's mask input: before each training step, every
// value must be set to 0 with probability Rate and to 1/(1-Rate) otherwise.
type Mask struct {
	Node *G.Node
	Rate float64
}

// builder carries what layers need while adding themselves to a graph.
type builder struct {
	g     *G.ExprGraph
	dt    tensor.Dtype
	batch int
	train bool
	net   *Net
	nodes map[*Param]*G.Node
	// needGrad says whether the layer's input depends on a trainable
	// parameter, so that its gradient is needed; the first layers see only
	// data and can skip it.
	needGrad bool
}

// node returns p's node in the graph under construction.
func (b *builder) node(p *Param) *G.Node { return b.nodes[p] }

// Forward adds the model to g for batches of the given size and returns
// the nodes a trainer needs. With train set, dropout layers are active and
// their masks are inputs (Net.Masks); otherwise they pass values through.
// Every node the model creates has a unique name, and every parameter node
// is bound to the model's own tensor.
func (m *Model) Forward(g *G.ExprGraph, batch int, train bool) (*Net, error) {
	if batch < 1 {
		return nil, fmt.Errorf("models: %s: batch size %d; want ≥ 1", m.spec.Name, batch)
	}
	net := &Net{}
	b := &builder{g: g, dt: m.dt, batch: batch, train: train, net: net, nodes: map[*Param]*G.Node{}, needGrad: m.inputGrad}
	for _, p := range m.params {
		n := G.NewTensor(g, m.dt, len(p.Shape()), G.WithShape(p.Shape()...), G.WithName(p.Name), G.WithValue(p.Value))
		b.nodes[p] = n
		net.Params = append(net.Params, n)
	}
	shape := append([]int{batch}, m.spec.Input...)
	net.X = G.NewTensor(g, m.dt, len(shape), G.WithShape(shape...), G.WithName("x"))
	x := net.X
	for i, l := range m.layers {
		var err error
		if x, err = l.forward(b, x, i == len(m.layers)-1); err != nil {
			return nil, fmt.Errorf("models: %s: %w", m.spec.Name, err)
		}
		for _, p := range l.params() {
			b.needGrad = b.needGrad || p.Trainable
		}
	}
	net.Out = x
	return net, nil
}
