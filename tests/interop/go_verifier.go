// An independent verifier of dxledger's signed checkpoints and proofs,
// written against the code Go's checksum-database clients run:
// golang.org/x/mod/sumdb/note (signed notes) and golang.org/x/mod/sumdb/tlog
// (RFC 6962 / 9162 Merkle proofs). It shares no code with dxledger.
//
//	go_verifier INPUT.json
//
// INPUT holds the log's verifier key, a signed checkpoint, optionally an
// older one with the consistency proof between them, and inclusion proofs
// of leaves in the newer one. Prints OK and exits 0 when everything
// verifies; otherwise prints what failed and exits 1.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusion struct {
	Position int64    `json:"position"`
	Leaf     []byte   `json:"leaf"`
	LeafHash []byte   `json:"leafHash"` // a withheld leaf: only its hash
	Hashes   [][]byte `json:"hashes"`
}

type input struct {
	VerifierKey   string      `json:"verifierKey"`
	Checkpoint    string      `json:"checkpoint"`
	OldCheckpoint string      `json:"oldCheckpoint"`
	Consistency   [][]byte    `json:"consistency"`
	Inclusions    []inclusion `json:"inclusions"`
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// open verifies the note's signature and parses the c2sp.org/tlog-checkpoint text.
func open(verifiers note.Verifiers, signed string) (checkpoint, error) {
	n, err := note.Open([]byte(signed), verifiers)
	if err != nil {
		return checkpoint{}, fmt.Errorf("signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return checkpoint{}, fmt.Errorf("checkpoint text is not origin, size, root")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return checkpoint{}, fmt.Errorf("bad tree size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return checkpoint{}, fmt.Errorf("bad root hash %q", lines[2])
	}
	var c checkpoint
	c.origin, c.size = lines[0], size
	copy(c.root[:], root)
	return c, nil
}

func hashes(raw [][]byte) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(raw))
	for i, h := range raw {
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("hash %d has %d bytes", i, len(h))
		}
		copy(out[i][:], h)
	}
	return out, nil
}

func run(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var in input
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	verifier, err := note.NewVerifier(in.VerifierKey)
	if err != nil {
		return fmt.Errorf("verifier key: %v", err)
	}
	verifiers := note.VerifierList(verifier)
	latest, err := open(verifiers, in.Checkpoint)
	if err != nil {
		return fmt.Errorf("checkpoint: %v", err)
	}
	if in.OldCheckpoint != "" {
		old, err := open(verifiers, in.OldCheckpoint)
		if err != nil {
			return fmt.Errorf("old checkpoint: %v", err)
		}
		proof, err := hashes(in.Consistency)
		if err != nil {
			return err
		}
		if err := tlog.CheckTree(tlog.TreeProof(proof), latest.size, latest.root, old.size, old.root); err != nil {
			return fmt.Errorf("consistency %d -> %d: %v", old.size, latest.size, err)
		}
	}
	for _, inc := range in.Inclusions {
		proof, err := hashes(inc.Hashes)
		if err != nil {
			return err
		}
		leaf := tlog.RecordHash(inc.Leaf)
		if len(inc.LeafHash) != 0 {
			if len(inc.Leaf) != 0 || len(inc.LeafHash) != tlog.HashSize {
				return fmt.Errorf("inclusion of position %d: a leaf and a leaf hash", inc.Position)
			}
			copy(leaf[:], inc.LeafHash)
		}
		if err := tlog.CheckRecord(tlog.RecordProof(proof), latest.size, latest.root, inc.Position-1, leaf); err != nil {
			return fmt.Errorf("inclusion of position %d in %d: %v", inc.Position, latest.size, err)
		}
	}
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go_verifier INPUT.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Println("REJECTED:", err)
		os.Exit(1)
	}
	fmt.Println("OK")
}
