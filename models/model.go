package models

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/internal/ops"
	"github.com/dlgo/dlgo/tabular"
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
	gorgonia  bool

	// Meta records how the model was made; Save writes it, Load reads it.
	Meta Meta

	graphs graphPool // inference graphs, for Logits

	partsMu sync.Mutex
	parts   map[partKey]*inferNet // encoder and decoder graphs
}

// Option configures a model under construction.
type Option func(*options)

type options struct {
	seed       int64
	dt         tensor.Dtype
	scaler     *datasets.Standardizer
	targetStd  *datasets.Standardizer
	table      *tabular.Encoding
	features   []string
	targets    []string
	classes    []string
	name       string
	hasClasses bool
	inputGrad  bool
	gorgonia   bool
	loss       Loss
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

// WithTargetStandardizer makes a regression model train on standardised
// targets, with s's statistics (fitted on the training targets, e.g. by
// datasets.FitTargetStandardizer): the loss is computed on (y - mean) /
// std, so one learning rate suits targets of any scale, and Predict
// undoes the standardisation, so predictions are in the targets' units.
// It is kept in the model (Spec.TargetScale).
func WithTargetStandardizer(s *datasets.Standardizer) Option {
	return func(o *options) { o.targetStd = s }
}

// WithTable records how raw table rows become the model's input (Spec.Table),
// so that a saved model reads rows as its training data was read.
func WithTable(e *tabular.Encoding) Option { return func(o *options) { o.table = e } }

// WithInputGradient makes the graphs compute the gradient of the loss
// with respect to the input too (for saliency maps or adversarial
// examples). By default they skip it: training does not need it.
func WithInputGradient() Option { return func(o *options) { o.inputGrad = true } }

// WithGorgoniaOps builds the model's graphs from Gorgonia's built-in ops
// (Mul, BroadcastAdd, Rectify, Sigmoid, Conv2d, MaxPool2D, ...) and lets
// Gorgonia derive every gradient symbolically, instead of dlgo's fused ops
// (internal/ops), which compute the same in one node per layer and
// direction, several times faster. Use it to see a network as Gorgonia's
// textbook graph, or as the reference the fused ops are tested against.
// The loss is built from Gorgonia's ops too, with a row-stable
// log-softmax. Predictions, gradients and saved files are the same on both
// paths up to rounding.
func WithGorgoniaOps() Option { return func(o *options) { o.gorgonia = true } }

// WithLoss sets the loss the model trains with (see Loss for the names),
// overriding the spec's.
func WithLoss(l Loss) Option { return func(o *options) { o.loss = l } }

// WithName names the model (default: the kind of model, e.g. "mlp").
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithDataInfo records the names of d's features, targets and classes in
// the model, so that predictions can be labelled and inputs checked by
// name. A model that reconstructs its input (an autoencoder) records only
// the feature names: its outputs are its inputs.
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
// Layer names left empty are filled in ("dense_1", "dropout_1", ...), and
// so is the loss.
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
	if o.targets != nil && !spec.Reconstructs() {
		spec.Targets = o.targets
	}
	if o.hasClasses && !spec.Reconstructs() {
		spec.Classes = o.classes
	}
	if o.loss != "" {
		spec.Loss = o.loss
	}
	if o.targetStd != nil {
		spec.TargetScale = o.targetStd
	}
	if o.table != nil {
		spec.Table = o.table
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
	m.gorgonia = o.gorgonia
	return m, nil
}

// Size limits that keep a mistaken or hostile spec from exhausting memory.
// Every size is computed from the spec with overflow checks against them
// before anything is allocated.
const (
	maxInputValues = 1 << 26 // per sample, and the output of each layer
	maxParamBytes  = 1 << 33 // in all
	maxLayers      = 1 << 12
	// maxWorkValues bounds the values per sample a layer's ops hold while
	// they compute (a convolution's unrolled patches): 512 MB in float32.
	maxWorkValues = 1 << 27
)

// shapes returns the per-sample shape after each layer of s, building the
// layers without allocating their parameters.
func (s Spec) shapes() ([][]int, error) {
	layers := slices.Clone(s.Layers)
	if err := nameLayers(layers); err != nil {
		return nil, err
	}
	var out [][]int
	shape := s.Input
	c := initContext{dt: tensor.Float32, rng: newRand(0)}
	for _, ls := range layers {
		l, err := newLayer(ls, shape, c)
		if err != nil {
			return nil, err
		}
		shape = l.outShape()
		out = append(out, shape)
	}
	return out, nil
}

// build creates the layers and parameters of spec, refusing models whose
// parameters would take more than maxBytes.
func build(spec Spec, rng *rand.Rand, maxBytes int64) (*Model, error) {
	m, err := describe(spec, rng, maxBytes)
	if err != nil {
		return nil, err
	}
	m.alloc()
	return m, nil
}

// alloc creates and fills the tensors of a described model's parameters.
func (m *Model) alloc() {
	for _, p := range m.params {
		p.alloc()
	}
}

// describe does build's work but allocating the parameters: every size is
// checked, nothing large is allocated.
func describe(spec Spec, rng *rand.Rand, maxBytes int64) (*Model, error) {
	if spec.Name == "" {
		spec.Name = "model"
	}
	if len(spec.Input) == 0 || len(spec.Input) > 8 || slices.ContainsFunc(spec.Input, func(d int) bool { return d < 1 }) {
		return nil, fmt.Errorf("models: %s: input shape %v must have 1 to 8 positive sizes", spec.Name, spec.Input)
	}
	if !fits(spec.Input, maxInputValues) {
		return nil, fmt.Errorf("models: %s: input shape %v has more values per sample than the %d supported", spec.Name, spec.Input, maxInputValues)
	}
	if len(spec.Layers) == 0 {
		return nil, fmt.Errorf("models: %s: no layers", spec.Name)
	}
	if len(spec.Layers) > maxLayers {
		return nil, fmt.Errorf("models: %s: %d layers; at most %d are supported", spec.Name, len(spec.Layers), maxLayers)
	}
	if spec.Features != nil && (len(spec.Input) != 1 || len(spec.Features) != spec.Input[0]) {
		return nil, fmt.Errorf("models: %s: %d feature names for input shape %v", spec.Name, len(spec.Features), spec.Input)
	}
	dt := tensor.Float32
	if spec.DType == "float64" {
		dt = tensor.Float64
	}
	spec.Layers = slices.Clone(spec.Layers)
	if err := nameLayers(spec.Layers); err != nil {
		return nil, fmt.Errorf("models: %s: %w", spec.Name, err)
	}
	m := &Model{spec: spec, dt: dt}
	outIdx := spec.outputIndex()
	shape := spec.Input
	c := initContext{dt: dt, rng: rng}
	for i, ls := range spec.Layers {
		l, err := newLayer(ls, shape, c)
		if err != nil {
			return nil, fmt.Errorf("models: %s: %w", spec.Name, err)
		}
		s := l.spec()
		if layerTypes[s.Type].activates && i != outIdx {
			if err := checkHiddenActivation(s.Name, s.Activation); err != nil {
				return nil, fmt.Errorf("models: %s: %w", spec.Name, err)
			}
		}
		spec.Layers[i] = s
		m.layers = append(m.layers, l)
		for _, p := range l.params() {
			if !fits(p.shape, int(maxParamBytes/int64(dt.Size()))) {
				return nil, fmt.Errorf("models: %s: layer %s: parameter %s of shape %v is larger than the %d bytes supported", spec.Name, s.Name, p.Name, p.shape, int64(maxParamBytes))
			}
			m.params = append(m.params, p)
		}
		shape = l.outShape()
		if !fits(shape, maxInputValues) || len(shape) > 8 {
			return nil, fmt.Errorf("models: %s: layer %s outputs %v per sample; at most %d values in up to 8 dimensions are supported", spec.Name, s.Name, shape, maxInputValues)
		}
		if w, ok := l.(workSizer); ok {
			if v := w.workValues(); v < 0 || v > maxWorkValues {
				return nil, fmt.Errorf("models: %s: layer %s would hold more than %d values per sample while it computes (its unrolled patches); at most %d are supported", spec.Name, s.Name, maxWorkValues, maxWorkValues)
			}
		}
	}
	spec.out = slices.Clone(shape)
	spec.Loss = spec.lossOrDefault()
	if spec.LossReduction == ReduceMean {
		spec.LossReduction = ""
	}
	if err := spec.resolveLatent(); err != nil {
		return nil, fmt.Errorf("models: %s: %w", spec.Name, err)
	}
	if err := spec.validateOutput(); err != nil {
		return nil, fmt.Errorf("models: %s: %w", spec.Name, err)
	}
	var bytes int64
	for _, p := range m.params {
		bytes += int64(p.Size()) * int64(dt.Size())
		if bytes > maxBytes {
			return nil, fmt.Errorf("models: %s: its parameters take more than %d bytes, the most allowed here", spec.Name, maxBytes)
		}
	}
	m.spec = spec
	return m, nil
}

// fits reports whether a shape of positive sizes holds at most limit
// values, without overflowing.
func fits(shape []int, limit int) bool {
	n := 1
	for _, d := range shape {
		if d < 1 || d > limit/n {
			return false
		}
		n *= d
	}
	return true
}

// nameLayers gives every unnamed layer a name "<type>_<n>", numbering each
// type from 1 and skipping names already taken. Two layers given the same
// name are an error: their parameters would have the same names.
func nameLayers(ls []LayerSpec) error {
	taken := map[string]int{}
	for i, l := range ls {
		if l.Name == "" {
			continue
		}
		if j, dup := taken[l.Name]; dup {
			return fmt.Errorf("layers %d and %d are both named %q: layer names must be unique", j+1, i+1, l.Name)
		}
		taken[l.Name] = i
	}
	count := map[string]int{}
	for i := range ls {
		if ls[i].Name != "" {
			continue
		}
		for {
			count[ls[i].Type]++
			name := fmt.Sprintf("%s_%d", ls[i].Type, count[ls[i].Type])
			if _, ok := taken[name]; !ok {
				ls[i].Name, taken[name] = name, i
				break
			}
		}
	}
	return nil
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
	c.inputGrad, c.gorgonia = m.inputGrad, m.gorgonia
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
func (m *Model) Loss() Loss { return m.spec.Loss }

// OutputShape returns the shape of one sample's output.
func (m *Model) OutputShape() []int { return slices.Clone(m.spec.out) }

// UsesGorgoniaOps reports whether the model's graphs are built from
// Gorgonia's built-in ops (WithGorgoniaOps).
func (m *Model) UsesGorgoniaOps() bool { return m.gorgonia }

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
	// Out is the model's output before the output activation (the logits
	// of a classifier), of shape (batch, output shape...).
	Out *G.Node
	// Layers holds each layer's output node, in the order of the spec's
	// layers: after the layer's activation, except for the output layer,
	// whose node is Out. A layer that passes its input through (dropout
	// at inference) has its input's node.
	Layers G.Nodes
	// Params holds the graph's node for each of the model's parameters, in
	// the order of Model.Params.
	Params G.Nodes
	// Masks lists the dropout masks a training graph needs filled before
	// each run.
	Masks []Mask
	// Updates lists the running statistics (batch normalization's) that a
	// trainer moves after each training step.
	Updates []StatUpdate
	// Noise lists the standard normal noise inputs of the graph (a
	// sampling layer's ε), in training and inference graphs alike: fill
	// every value with a draw of N(0, 1) before a run to sample, or with 0
	// for the mean, which is what Logits and Predict do.
	Noise []Noise
	// Terms lists the extra terms of the model's loss (a sampling layer's
	// KL divergence), scalars that AddLoss adds to the data loss.
	Terms []Term
	// Y and Loss are the targets input, (batch, values per sample of Out),
	// encoded by EncodeTargets, and the scalar loss: the mean over the
	// batch of the model's loss, plus the Terms. AddLoss adds them.
	Y, Loss *G.Node
	// Weights, if set before AddLoss, is an input of shape (batch) holding
	// a weight per sample (its class's weight, say): the loss is then
	// Σ w_i·loss_i / batch, as Keras weighs samples.
	Weights *G.Node
	// DataLoss is the loss of the outputs against the targets alone (the
	// reconstruction loss of a variational autoencoder): Loss without the
	// Terms, and Loss itself when there are none. AddLoss adds it. Its
	// value and the Terms' are still there after a run.
	DataLoss *G.Node
}

// Noise is a graph input to fill with standard normal draws (or zeros)
// before each run, like a dropout mask.
type Noise struct {
	Node *G.Node
}

// Term is a named extra term of a model's loss, a scalar node: e.g.
// "kl_loss", the KL divergence of a variational autoencoder's latent
// distribution from its prior.
type Term struct {
	Name string
	Node *G.Node
}

// Mask is a dropout layer's mask input: before each training step, every
// value must be set to 0 with probability Rate and to 1/(1-Rate) otherwise.
type Mask struct {
	Node *G.Node
	Rate float64
}

// StatUpdate is a running statistic that follows a training graph's batch
// statistic: after each step, Moving ← Momentum·Moving + (1-Momentum)·Batch.
type StatUpdate struct {
	// Batch is the statistic's node in the training graph, e.g. a batch
	// normalization layer's batch mean.
	Batch *G.Node
	// Moving is the parameter holding the running average.
	Moving   *Param
	Momentum float64
}

// Apply moves the running statistic towards the batch's value computed by
// the last run of the graph.
func (u StatUpdate) Apply() error {
	if u.Batch.Value() == nil {
		return fmt.Errorf("models: %s: the graph has not run", u.Moving.Name)
	}
	m := u.Momentum
	switch d := u.Moving.Value.Data().(type) {
	case []float32:
		b, ok := u.Batch.Value().Data().([]float32)
		if !ok || len(b) != len(d) {
			return fmt.Errorf("models: %s: batch statistic of shape %v", u.Moving.Name, u.Batch.Shape())
		}
		for i, v := range b {
			d[i] = float32(m)*d[i] + float32(1-m)*v
		}
	case []float64:
		b, ok := u.Batch.Value().Data().([]float64)
		if !ok || len(b) != len(d) {
			return fmt.Errorf("models: %s: batch statistic of shape %v", u.Moving.Name, u.Batch.Shape())
		}
		for i, v := range b {
			d[i] = m*d[i] + (1-m)*v
		}
	}
	return nil
}

// Forward adds the model to g for batches of the given size and returns
// the nodes a trainer needs. With train set, dropout layers are active and
// their masks are inputs (Net.Masks), and batch normalization uses the
// batch's statistics (Net.Updates); otherwise dropout passes values
// through and batch normalization uses its running averages. Every node
// the model creates has a unique name, and every parameter node is bound
// to the model's own tensor.
func (m *Model) Forward(g *G.ExprGraph, batch int, train bool) (*Net, error) {
	return m.forward(g, batch, train, train, 0, len(m.layers), func(p *Param) *tensor.Dense { return p.Value })
}

// forward adds the layers [from, to) to g: Forward when they are all of
// them; an encoder or a decoder graph otherwise, whose input X is the
// input of layer from. Dropout is set apart from training
// (PredictWithDropout has dropout on and batch normalization in inference
// mode), and bind chooses the tensor each parameter node is bound to.
func (m *Model) forward(g *G.ExprGraph, batch int, train, dropout bool, from, to int, bind func(*Param) *tensor.Dense) (*Net, error) {
	return m.forwardFused(g, batch, train, dropout, true, from, to, bind)
}

// forwardFused is forward, with fuse telling whether a convolution and
// the max-pooling that follows it may be one op. Unfused, every layer's
// output is a node of its own (net.Layers), as LayerOutputs needs.
func (m *Model) forwardFused(g *G.ExprGraph, batch int, train, dropout, fuse bool, from, to int, bind func(*Param) *tensor.Dense) (*Net, error) {
	if batch < 1 {
		return nil, fmt.Errorf("models: %s: batch size %d; want ≥ 1", m.spec.Name, batch)
	}
	net := &Net{}
	b := &builder{g: g, dt: m.dt, batch: batch, train: train, dropout: dropout, net: net, nodes: map[*Param]*G.Node{},
		needGrad: m.inputGrad, gorgonia: m.gorgonia}
	for _, p := range m.params {
		n := G.NewTensor(g, m.dt, len(p.Shape()), G.WithShape(p.Shape()...), G.WithName(p.Name), G.WithValue(bind(p)))
		b.nodes[p] = n
		net.Params = append(net.Params, n)
	}
	in := m.spec.Input
	if from > 0 {
		in = m.layers[from-1].outShape()
	}
	shape := append([]int{batch}, in...)
	net.X = G.NewTensor(g, m.dt, len(shape), G.WithShape(shape...), G.WithName("x"))
	x := net.X
	outIdx := m.spec.outputIndex()
	for i := from; i < to; i++ {
		l := m.layers[i]
		b.output = i == outIdx
		var err error
		if c, p := pooledConv(m.layers, i, to, outIdx, fuse && !b.gorgonia); c != nil {
			x, err = c.forwardPooled(b, x, p)
			net.Layers = append(net.Layers, nil) // the convolution's own output is never written
			i++                                  // the pooling is done
		} else {
			x, err = l.forward(b, x)
		}
		if err != nil {
			return nil, fmt.Errorf("models: %s: %w", m.spec.Name, err)
		}
		net.Layers = append(net.Layers, x)
		for _, p := range l.params() {
			b.needGrad = b.needGrad || p.Trainable
		}
	}
	net.Out = x
	return net, nil
}

// pooledConv returns layers[i] and layers[i+1] when fuse is set and they
// are a hidden convolution and the max-pooling of its output, both before
// layer to, which dlgo's ops (not Gorgonia's) compute as one.
func pooledConv(layers []layer, i, to, outIdx int, fuse bool) (*conv2D, *maxPool2D) {
	if !fuse || i+1 >= to || i == outIdx {
		return nil, nil
	}
	c, ok := layers[i].(*conv2D)
	p, ok2 := layers[i+1].(*maxPool2D)
	if !ok || !ok2 {
		return nil, nil
	}
	return c, p
}

// AddLoss adds the targets input net.Y and the model's loss net.Loss to
// the graph of net. The data loss (net.DataLoss) is computed by one op,
// from net.Out through the output activation (stably from the logits for
// sigmoid with binary cross-entropy and softmax with categorical
// cross-entropy), and it never writes net.Out, which keeps its values
// after a run; net.Loss is the data loss plus the extra terms
// (net.Terms), if any, in one op that leaves each term's value readable.
func (m *Model) AddLoss(net *Net) error {
	o, err := m.spec.objective()
	if err != nil {
		return fmt.Errorf("models: %s: %w", m.spec.Name, err)
	}
	batch := net.Out.Shape()[0]
	net.Y = G.NewMatrix(net.Out.Graph(), m.dt, G.WithShape(batch, m.spec.Units()), G.WithName("y"))
	if m.gorgonia {
		b := &builder{g: net.Out.Graph(), dt: m.dt, batch: batch}
		if net.Loss, err = gorgoniaLoss(b, o, net.Out, net.Y, net.Weights); err != nil {
			return fmt.Errorf("models: %s: loss %s: %w", m.spec.Name, m.spec.Loss, err)
		}
		// Gorgonia's tape machine lets an op write its result into an
		// input that no later op reads, so after a run the output node
		// may hold another op's values. A copy that nothing reads keeps
		// them for the trainer.
		net.Out, err = G.Mul(net.Out, b.scalar(1))
	} else if net.Weights != nil {
		net.Loss, err = ops.WeightedLossOf(o, net.Out, net.Y, net.Weights)
	} else {
		net.Loss, err = ops.LossOf(o, net.Out, net.Y)
	}
	if err != nil {
		return fmt.Errorf("models: %s: loss %s: %w", m.spec.Name, m.spec.Loss, err)
	}
	net.DataLoss = net.Loss
	if len(net.Terms) == 0 {
		return nil
	}
	terms := G.Nodes{net.Loss}
	for _, t := range net.Terms {
		terms = append(terms, t.Node)
	}
	if m.gorgonia {
		// Gorgonia's Add of scalars makes a new value: its inputs keep
		// theirs.
		for _, t := range terms[1:] {
			if net.Loss, err = G.Add(net.Loss, t); err != nil {
				break
			}
		}
	} else {
		net.Loss, err = ops.AddLosses(terms...)
	}
	if err != nil {
		return fmt.Errorf("models: %s: adding the loss terms: %w", m.spec.Name, err)
	}
	return nil
}
