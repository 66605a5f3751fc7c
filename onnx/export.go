package onnx

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/internal/atomicfile"
	"github.com/dlgo/dlgo/models"
)

// Opset is the ONNX operator set the exported models use, and IRVersion
// the IR version of their files (the one that goes with opset 13).
const (
	Opset     = 13
	IRVersion = 7
)

// The names of the exported graph's input and outputs: those of package
// serve's protocol, so that a client of dlgo's server works with the same
// model served from its ONNX file.
const (
	InputName           = "input"
	OutputLogits        = "logits"
	OutputProbabilities = "probabilities"
	OutputPredictions   = "predictions"
	OutputClass         = "class"
)

// Exported is a model exported to ONNX.
type Exported struct {
	// Data is the .onnx file: the model's protobuf encoding.
	Data []byte
	// Inputs and Outputs describe the graph's input and outputs.
	Inputs, Outputs []Tensor
}

// Tensor describes an input or output of an exported graph.
type Tensor struct {
	Name string
	// Type is "float32" or "string".
	Type string
	// Shape has the batch first, as -1 (the symbolic dimension "N").
	Shape []int
}

func (t Tensor) String() string {
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = strconv.Itoa(d)
		if d < 0 {
			dims[i] = "N"
		}
	}
	return fmt.Sprintf("%s %s[%s]", t.Name, t.Type, strings.Join(dims, ", "))
}

// Export converts m to an ONNX model (opset 13). The graph has one input,
// "input", float32 of shape (N, input shape...), and these outputs, N
// being the batch:
//
//   - "logits" (float32, (N, output shape...)): Model.Logits, the values
//     before the output activation;
//   - "probabilities" (float32) for a classifier, as Model.Predict gives
//     them: (N, classes), two columns P(0), P(1) for a single sigmoid or
//     step unit; or (N, labels) for a multi-label model;
//   - "predictions" (float32, (N, output shape...)) for a regression
//     model, as Model.Predict gives them;
//   - "class" (string, (N)) for a classifier: the predicted class's name
//     (Model.PredictClasses), or its index in decimal when the model has
//     no class names.
//
// These are the names and meanings of package serve's outputs, so a client
// of dlgo's server works with the ONNX model served by Triton or KServe.
// Dropout layers vanish (inference). A float64 model is exported in
// float32, the precision ONNX runtimes compute convolutions in. The
// model's spec travels in the file's metadata, as "dlgo_spec".
func Export(m *models.Model) (*Exported, error) {
	e := &exporter{m: m, spec: m.Spec()}
	if err := e.build(); err != nil {
		return nil, fmt.Errorf("onnx: %s: %w", m.Name(), err)
	}
	spec, err := json.Marshal(e.spec)
	if err != nil {
		return nil, fmt.Errorf("onnx: %s: %w", m.Name(), err)
	}
	mp := modelProto{
		irVersion: IRVersion, opsetVersion: Opset,
		producerName: "dlgo", producerVersion: "1",
		docString: fmt.Sprintf("dlgo model %q (%s)", m.Name(), e.spec.Task()),
		graph:     e.g,
		metadata:  [][2]string{{"dlgo_spec", string(spec)}},
	}
	x := &Exported{Data: mp.marshal()}
	for _, v := range e.g.inputs {
		x.Inputs = append(x.Inputs, v.tensor())
	}
	for _, v := range e.g.outputs {
		x.Outputs = append(x.Outputs, v.tensor())
	}
	return x, nil
}

func (v valueInfo) tensor() Tensor {
	t := Tensor{Name: v.name, Type: "float32", Shape: []int{-1}}
	if v.elemType == typeString {
		t.Type = "string"
	}
	for _, d := range v.dims {
		t.Shape = append(t.Shape, int(d))
	}
	return t
}

// Save writes the ONNX file to path, atomically: a crash never leaves a
// partial file there.
func (x *Exported) Save(path string) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(x.Data)
		return err
	})
	if err != nil {
		return fmt.Errorf("onnx: saving %s: %w", path, err)
	}
	return nil
}

// exporter builds the graph of one model.
type exporter struct {
	m    *models.Model
	spec models.Spec
	g    graphProto
}

// node adds a node and returns its output's name, "<name>:<op>". Layers'
// nodes are named after their layer; the nodes that compute the outputs
// from the logits after "#output", which no layer's name can be.
func (e *exporter) node(name, op string, inputs []string, attrs ...attribute) string {
	out := name + ":" + op
	e.g.nodes = append(e.g.nodes, nodeProto{inputs: inputs, outputs: []string{out}, name: out, opType: op, attrs: attrs})
	return out
}

// named adds a node whose output has the given name.
func (e *exporter) named(out, op string, inputs []string, attrs ...attribute) {
	e.g.nodes = append(e.g.nodes, nodeProto{inputs: inputs, outputs: []string{out}, name: out, opType: op, attrs: attrs})
}

// param adds the model's parameter as an initializer and returns its name.
func (e *exporter) param(name string) (string, error) {
	p := e.m.Param(name)
	if p == nil {
		return "", fmt.Errorf("no parameter %s", name)
	}
	v := p.Float64s()
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	e.g.initializers = append(e.g.initializers, floatTensor(name, p.Shape(), f))
	return name, nil
}

// constant adds a float32 constant.
func (e *exporter) constant(name string, dims []int, v ...float32) string {
	e.g.initializers = append(e.g.initializers, floatTensor(name, dims, v))
	return name
}

func ints(name string, v ...int64) attribute { return attribute{name: name, typ: attrInts, ints: v} }
func intAttr(name string, v int64) attribute { return attribute{name: name, typ: attrInt, i: v} }
func floatAttr(name string, v float32) attribute {
	return attribute{name: name, typ: attrFloat, f: v}
}
func stringAttr(name, v string) attribute { return attribute{name: name, typ: attrString, s: v} }

func (e *exporter) build() error {
	spec := e.spec
	e.g.name = spec.Name
	e.g.inputs = []valueInfo{{name: InputName, elemType: typeFloat, batch: "N", dims: int64s(spec.Input)}}
	out := spec.OutputLayer()
	x := InputName
	for i, l := range spec.Layers {
		var err error
		if x, err = e.layer(l, x, i == out); err != nil {
			return fmt.Errorf("layer %s (%s): %w", l.Name, l.Type, err)
		}
	}
	e.named(OutputLogits, "Identity", []string{x})
	outShape := int64s(e.m.OutputShape())
	e.g.outputs = []valueInfo{{name: OutputLogits, elemType: typeFloat, batch: "N", dims: outShape}}
	return e.outputs(outShape)
}

// layer adds one layer applied to x and returns its output. The output
// layer leaves out its activation, as dlgo's graphs do: it is applied to
// the logits at the end.
func (e *exporter) layer(l models.LayerSpec, x string, output bool) (string, error) {
	act := l.Activation
	if output {
		act = models.Linear
	}
	switch l.Type {
	case models.LayerDense:
		w, err := e.param(l.Name + "/kernel")
		if err != nil {
			return "", err
		}
		b, err := e.param(l.Name + "/bias")
		if err != nil {
			return "", err
		}
		return e.activate(l.Name, act, e.node(l.Name, "Gemm", []string{x, w, b}))
	case models.LayerConv2D, models.LayerConv2DTranspose:
		w, err := e.param(l.Name + "/kernel")
		if err != nil {
			return "", err
		}
		b, err := e.param(l.Name + "/bias")
		if err != nil {
			return "", err
		}
		pad, outPad, err := convPadding(l)
		if err != nil {
			return "", err
		}
		attrs := []attribute{ints("kernel_shape", int64(l.Kernel), int64(l.Kernel)),
			ints("strides", int64(l.Stride), int64(l.Stride)), ints("pads", pad, pad, pad, pad)}
		op := "Conv"
		if l.Type == models.LayerConv2DTranspose {
			op = "ConvTranspose"
			attrs = append(attrs, ints("output_padding", outPad, outPad))
		}
		return e.activate(l.Name, act, e.node(l.Name, op, []string{x, w, b}, attrs...))
	case models.LayerActivation:
		return e.activate(l.Name, act, x)
	case models.LayerDropout:
		return x, nil
	case models.LayerNormalization:
		mean, err := e.param(l.Name + "/mean")
		if err != nil {
			return "", err
		}
		std, err := e.param(l.Name + "/std")
		if err != nil {
			return "", err
		}
		return e.node(l.Name, "Div", []string{e.node(l.Name, "Sub", []string{x, mean}), std}), nil
	case models.LayerBatchNorm:
		var in []string
		for _, p := range []string{"gamma", "beta", "moving_mean", "moving_variance"} {
			name, err := e.param(l.Name + "/" + p)
			if err != nil {
				return "", err
			}
			in = append(in, name)
		}
		return e.node(l.Name, "BatchNormalization", append([]string{x}, in...), floatAttr("epsilon", float32(l.Epsilon))), nil
	case models.LayerMaxPool2D, models.LayerAvgPool2D:
		op := "MaxPool"
		if l.Type == models.LayerAvgPool2D {
			op = "AveragePool"
		}
		return e.node(l.Name, op, []string{x}, ints("kernel_shape", int64(l.Kernel), int64(l.Kernel)),
			ints("strides", int64(l.Stride), int64(l.Stride))), nil
	case models.LayerUpSample2D:
		if l.Size == 1 {
			return x, nil
		}
		s := float32(l.Size)
		scales := e.constant(l.Name+"/scales", []int{4}, 1, 1, s, s)
		// Nearest neighbour with an integer factor: output pixel i
		// takes input pixel floor(i / size).
		return e.node(l.Name, "Resize", []string{x, "", scales}, stringAttr("mode", "nearest"),
			stringAttr("coordinate_transformation_mode", "asymmetric"), stringAttr("nearest_mode", "floor")), nil
	case models.LayerFlatten:
		return e.node(l.Name, "Flatten", []string{x}, intAttr("axis", 1)), nil
	case models.LayerReshape:
		// 0 keeps the batch dimension; the per-sample shape may hold one -1.
		shape := append([]int64{0}, int64s(l.Shape)...)
		name := l.Name + "/shape"
		e.g.initializers = append(e.g.initializers, int64Tensor(name, shape))
		return e.node(l.Name, "Reshape", []string{x, name}), nil
	}
	return "", fmt.Errorf("no ONNX export for layer type %q", l.Type)
}

// convPadding returns a convolution's padding on each side and, for a
// transposed convolution, its output padding, as the layer computes them.
func convPadding(l models.LayerSpec) (pad, outPad int64, err error) {
	switch {
	case l.Padding == models.Same && l.Kernel%2 == 1:
		pad = int64(l.Kernel-1) / 2
	case l.Padding == models.Same:
		return 0, 0, fmt.Errorf("padding \"same\" with an even kernel %d", l.Kernel)
	case l.Padding < 0:
		return 0, 0, fmt.Errorf("padding %d", l.Padding)
	default:
		pad = int64(l.Padding)
	}
	outPad = int64(l.OutputPadding)
	if l.Type == models.LayerConv2DTranspose && l.Padding == models.Same && outPad == 0 {
		outPad = int64(l.Stride - 1)
	}
	return pad, outPad, nil
}

// activate applies an elementwise activation to x; softmax is over the
// last axis.
func (e *exporter) activate(name, act string, x string) (string, error) {
	switch act {
	case models.Linear, "":
		return x, nil
	case models.ReLU:
		return e.node(name, "Relu", []string{x}), nil
	case models.LeakyReLU:
		return e.node(name, "LeakyRelu", []string{x}, floatAttr("alpha", models.LeakySlope)), nil
	case models.Sigmoid:
		return e.node(name, "Sigmoid", []string{x}), nil
	case models.Tanh:
		return e.node(name, "Tanh", []string{x}), nil
	case models.Softmax:
		return e.node(name, "Softmax", []string{x}, intAttr("axis", -1)), nil
	case models.Step:
		zero := e.constant(name+"/zero", nil, 0)
		ge := e.node(name, "GreaterOrEqual", []string{x, zero})
		return e.node(name, "Cast", []string{ge}, intAttr("to", typeFloat)), nil
	}
	return "", fmt.Errorf("no ONNX export for activation %q", act)
}

// outputs adds the outputs computed from the logits, as Model.Predict and
// Model.PredictClasses compute them.
func (e *exporter) outputs(outShape []int64) error {
	spec := e.spec
	act := spec.OutputActivation()
	switch spec.Task() {
	case models.Regression, models.MultiLabel:
		y, err := e.activate("#output", act, OutputLogits)
		if err != nil {
			return err
		}
		name := OutputPredictions
		if spec.Task() == models.MultiLabel {
			name = OutputProbabilities
		}
		e.named(name, "Identity", []string{y})
		e.g.outputs = append(e.g.outputs, valueInfo{name: name, elemType: typeFloat, batch: "N", dims: outShape})
		return nil
	}
	k := spec.NumClasses()
	var idx string
	if spec.Units() == 1 {
		// One unit: P(1) = act(z), and the probabilities are [1-P(1), P(1)];
		// the class is 1 where z ≥ 0 (where P(1) reaches 1/2).
		p, err := e.activate("#output", act, OutputLogits)
		if err != nil {
			return err
		}
		one := e.constant("#output/one", nil, 1)
		q := e.node("#output", "Sub", []string{one, p})
		e.named(OutputProbabilities, "Concat", []string{q, p}, intAttr("axis", 1))
		zero := e.constant("#output/class/zero", nil, 0)
		ge := e.node("#output/class", "GreaterOrEqual", []string{OutputLogits, zero})
		cast := e.node("#output/class", "Cast", []string{ge}, intAttr("to", typeInt64))
		flat := "#output/class/shape"
		e.g.initializers = append(e.g.initializers, int64Tensor(flat, []int64{-1}))
		idx = e.node("#output/class", "Reshape", []string{cast, flat})
	} else {
		p, err := e.activate("#output", act, OutputLogits)
		if err != nil {
			return err
		}
		e.named(OutputProbabilities, "Identity", []string{p})
		// The first of equal largest logits, as dlgo's argmax.
		idx = e.node("#output/class", "ArgMax", []string{OutputLogits}, intAttr("axis", 1), intAttr("keepdims", 0))
	}
	names := spec.Classes
	if names == nil {
		for i := range k {
			names = append(names, strconv.Itoa(i))
		}
	}
	e.g.initializers = append(e.g.initializers, tensorProto{name: "#output/class_names", dims: []int64{int64(k)}, dataType: typeString, strings: names})
	e.named(OutputClass, "Gather", []string{"#output/class_names", idx}, intAttr("axis", 0))
	e.g.outputs = append(e.g.outputs,
		valueInfo{name: OutputProbabilities, elemType: typeFloat, batch: "N", dims: []int64{int64(k)}},
		valueInfo{name: OutputClass, elemType: typeString, batch: "N"})
	return nil
}
