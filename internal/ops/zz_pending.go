package ops

// TEMPORARY stubs until the ops-kernels branch is merged; deleted then.

import (
	"errors"

	G "gorgonia.org/gorgonia"
)

var errPending = errors.New("ops: not yet merged")

func Activate(x *G.Node, act Activation) (*G.Node, error) { return nil, errPending }
func AvgPool2D(x *G.Node, kernel, stride int) (*G.Node, error) { return nil, errPending }
func Upsample2D(x *G.Node, factor int) (*G.Node, error) { return nil, errPending }
func ChannelMean(x *G.Node) (*G.Node, error) { return nil, errPending }
func ChannelVariance(x, mean *G.Node) (*G.Node, error) { return nil, errPending }
func BatchNormApply(x, mean, variance, gamma, beta *G.Node, eps float64) (*G.Node, error) {
	return nil, errPending
}
func Conv2DTranspose(x, w, b *G.Node, kernel, stride, pad, outPad int, act Activation, needX bool) (*G.Node, error) {
	return nil, errPending
}
