//go:build amd64 && !purego

package trainers

import "golang.org/x/sys/cpu"

// haveAVX says adam8 runs here.
var haveAVX = cpu.X86.HasAVX

//go:noescape
func adam8(w, grad, m, v *float32, n int, b1, omb1, b2, omb2, eta, sc2, eps float32)
