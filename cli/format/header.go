package format

import (
	"strings"
	"text/template"
	"text/template/parse"
	"unicode"
)

// headerRow builds the header line of a "table" template: one cell per
// tab-separated column, named after the first field the column prints
// ({{.ID}} → "ID", {{.CreatedAt}} → "CREATED AT"), unless headers overrides
// it. Text outside actions is not echoed: like podman, a header names the
// data, not the decoration around it.
func headerRow(tmpl *template.Template, headers map[string]string) string {
	var cells []string
	var cur string
	have := false
	flush := func() {
		cells = append(cells, cur)
		cur, have = "", false
	}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.TextNode:
			// Each tab closes a column; the final newline ends the row.
			for range strings.Count(string(n.Text), "\t") {
				flush()
			}
		case *parse.ActionNode:
			if !have {
				if name, ok := firstField(n.Pipe); ok {
					cur, have = headerName(name, headers), true
				}
			}
		case *parse.IfNode:
			walkBranch(&n.BranchNode, walk, &cur, &have, headers)
		case *parse.RangeNode:
			walkBranch(&n.BranchNode, walk, &cur, &have, headers)
		case *parse.WithNode:
			walkBranch(&n.BranchNode, walk, &cur, &have, headers)
		}
	}
	if tmpl.Tree != nil {
		walk(tmpl.Tree.Root)
	}
	flush()
	return strings.Join(cells, "\t") + "\n"
}

// walkBranch names the column after the field an if/range/with tests, then
// visits its bodies for tabs.
func walkBranch(b *parse.BranchNode, walk func(parse.Node), cur *string, have *bool, headers map[string]string) {
	if !*have {
		if name, ok := firstField(b.Pipe); ok {
			*cur, *have = headerName(name, headers), true
		}
	}
	walk(b.List)
	if b.ElseList != nil {
		walk(b.ElseList)
	}
}

// firstField returns the dotted field path ("Config.Image") of the first
// field reference in a pipeline, including inside function arguments such as
// {{join .Names ","}}.
func firstField(p *parse.PipeNode) (string, bool) {
	if p == nil {
		return "", false
	}
	for _, cmd := range p.Cmds {
		for _, arg := range cmd.Args {
			switch a := arg.(type) {
			case *parse.FieldNode:
				return strings.Join(a.Ident, "."), true
			case *parse.ChainNode:
				if len(a.Field) > 0 {
					return strings.Join(a.Field, "."), true
				}
			case *parse.PipeNode:
				if name, ok := firstField(a); ok {
					return name, true
				}
			}
		}
	}
	return "", false
}

// headerName maps a field path to its column header: an override for the
// whole path, then for its first element, else the last element split at
// case changes and upper-cased (podman's rule: "ImageID" → "IMAGE ID").
func headerName(path string, headers map[string]string) string {
	if h, ok := headers[path]; ok {
		return h
	}
	parts := strings.Split(path, ".")
	if h, ok := headers[parts[0]]; ok {
		return h
	}
	return strings.ToUpper(strings.Join(splitCamel(parts[len(parts)-1]), " "))
}

// splitCamel splits an identifier at case changes, keeping acronyms whole:
// "CreatedAt" → [Created At], "ImageID" → [Image ID], "HTTPPort" → [HTTP Port].
func splitCamel(s string) []string {
	rs := []rune(s)
	var words []string
	start := 0
	for i := 1; i < len(rs); i++ {
		prev, cur := rs[i-1], rs[i]
		split := false
		switch {
		case unicode.IsLower(prev) && unicode.IsUpper(cur):
			split = true
		case unicode.IsUpper(prev) && unicode.IsUpper(cur) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			split = true
		}
		if split {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	if len(rs) > 0 {
		words = append(words, string(rs[start:]))
	}
	return words
}
