//go:build !amd64 || purego

package trainers

// haveAVX is false: Adam's loop is Go's.
const haveAVX = false

func adam8(w, grad, m, v *float32, n int, b1, omb1, b2, omb2, eta, sc2, eps float32) {
	panic("trainers: no AVX")
}
