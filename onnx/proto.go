package onnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The few ONNX messages an exported model needs (onnx.proto, IR version
// 7), encoded with the protobuf wire format's primitives. Field numbers
// are onnx.proto's; a field at its zero value is left out, as proto3 does.

// ONNX element types (TensorProto.DataType).
const (
	typeFloat  = 1
	typeInt64  = 7
	typeString = 8
)

// Attribute types (AttributeProto.AttributeType).
const (
	attrFloat  = 1
	attrInt    = 2
	attrString = 3
	attrInts   = 7
)

type modelProto struct {
	irVersion       int64
	opsetVersion    int64
	producerName    string
	producerVersion string
	docString       string
	graph           graphProto
	metadata        [][2]string
}

type graphProto struct {
	name         string
	nodes        []nodeProto
	initializers []tensorProto
	inputs       []valueInfo
	outputs      []valueInfo
}

type nodeProto struct {
	inputs, outputs []string
	name, opType    string
	attrs           []attribute
}

type attribute struct {
	name string
	typ  int
	f    float32
	i    int64
	s    string
	ints []int64
}

type tensorProto struct {
	name     string
	dims     []int64
	dataType int
	raw      []byte   // little-endian values, for numbers
	strings  []string // for STRING tensors
}

// valueInfo is a graph input or output: a tensor of elemType whose shape
// has a symbolic batch dimension first, then dims.
type valueInfo struct {
	name     string
	elemType int
	batch    string
	dims     []int64
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendInt(b []byte, num protowire.Number, v int64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

// appendMessage appends an embedded message, always (an empty message
// still says the field is there).
func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

// appendPackedInts appends a packed repeated int64 field.
func appendPackedInts(b []byte, num protowire.Number, vs []int64) []byte {
	if len(vs) == 0 {
		return b
	}
	var p []byte
	for _, v := range vs {
		p = protowire.AppendVarint(p, uint64(v))
	}
	return appendMessage(b, num, p)
}

func (m *modelProto) marshal() []byte {
	var b []byte
	b = appendInt(b, 1, m.irVersion)
	b = appendString(b, 2, m.producerName)
	b = appendString(b, 3, m.producerVersion)
	b = appendString(b, 6, m.docString)
	b = appendMessage(b, 7, m.graph.marshal())
	var opset []byte
	opset = appendInt(opset, 2, m.opsetVersion) // the default domain, ai.onnx
	b = appendMessage(b, 8, opset)
	for _, kv := range m.metadata {
		var e []byte
		e = appendString(e, 1, kv[0])
		e = appendString(e, 2, kv[1])
		b = appendMessage(b, 14, e)
	}
	return b
}

func (g *graphProto) marshal() []byte {
	var b []byte
	for _, n := range g.nodes {
		b = appendMessage(b, 1, n.marshal())
	}
	b = appendString(b, 2, g.name)
	for _, t := range g.initializers {
		b = appendMessage(b, 5, t.marshal())
	}
	for _, v := range g.inputs {
		b = appendMessage(b, 11, v.marshal())
	}
	for _, v := range g.outputs {
		b = appendMessage(b, 12, v.marshal())
	}
	return b
}

func (n *nodeProto) marshal() []byte {
	var b []byte
	for _, in := range n.inputs {
		// An empty input name is an omitted optional input: it must stay
		// in place.
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, in)
	}
	for _, out := range n.outputs {
		b = appendString(b, 2, out)
	}
	b = appendString(b, 3, n.name)
	b = appendString(b, 4, n.opType)
	for _, a := range n.attrs {
		b = appendMessage(b, 5, a.marshal())
	}
	return b
}

func (a *attribute) marshal() []byte {
	var b []byte
	b = appendString(b, 1, a.name)
	switch a.typ {
	case attrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case attrInt:
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.i))
	case attrString:
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendString(b, a.s)
	case attrInts:
		for _, v := range a.ints {
			b = protowire.AppendTag(b, 8, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(v))
		}
	}
	return appendInt(b, 20, int64(a.typ))
}

func (t *tensorProto) marshal() []byte {
	var b []byte
	b = appendPackedInts(b, 1, t.dims)
	b = appendInt(b, 2, int64(t.dataType))
	for _, s := range t.strings {
		b = protowire.AppendTag(b, 6, protowire.BytesType)
		b = protowire.AppendString(b, s)
	}
	b = appendString(b, 8, t.name)
	if len(t.raw) > 0 {
		b = protowire.AppendTag(b, 9, protowire.BytesType)
		b = protowire.AppendBytes(b, t.raw)
	}
	return b
}

func (v *valueInfo) marshal() []byte {
	var shape []byte
	var dim []byte
	dim = appendString(dim, 2, v.batch)
	shape = appendMessage(shape, 1, dim)
	for _, d := range v.dims {
		dim = protowire.AppendTag(nil, 1, protowire.VarintType)
		dim = protowire.AppendVarint(dim, uint64(d))
		shape = appendMessage(shape, 1, dim)
	}
	var tensor []byte
	tensor = appendInt(tensor, 1, int64(v.elemType))
	tensor = appendMessage(tensor, 2, shape)
	var typ []byte
	typ = appendMessage(typ, 1, tensor)
	var b []byte
	b = appendString(b, 1, v.name)
	return appendMessage(b, 2, typ)
}

// floatTensor returns a FLOAT initializer.
func floatTensor(name string, dims []int, values []float32) tensorProto {
	raw := make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return tensorProto{name: name, dims: int64s(dims), dataType: typeFloat, raw: raw}
}

// int64Tensor returns an INT64 initializer of one dimension.
func int64Tensor(name string, values []int64) tensorProto {
	raw := make([]byte, 8*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return tensorProto{name: name, dims: []int64{int64(len(values))}, dataType: typeInt64, raw: raw}
}

func int64s(vs []int) []int64 {
	out := make([]int64, len(vs))
	for i, v := range vs {
		out[i] = int64(v)
	}
	return out
}
