package perm

// A composition of this package's own classes (the built-ins and Rules) is
// a pure function of a few facts about the request (safe method, active
// user, staff, model permission) and, at object level, of its rules'
// answers. compile turns it into truth tables when it is built, so a
// decision is a few loads and a table lookup instead of a walk over
// interfaces. Any other class in the tree (a person's Go class, a stub)
// leaves the composition uncompiled: it is then evaluated as a tree, in
// order, with its errors and Deny messages. TestCompiledMatchesTree checks
// that both agree on every expression up to a depth over every caller,
// method and object.

// Request facts, the low bits of a table index.
const (
	bSafe   = 1 << iota // GET, HEAD, OPTIONS
	bAuth               // active user
	bStaff              // active staff user
	bModel              // active user holding the action's model permission
	reqBits = 4
)

// maxRules bounds the rules of a compiled expression (table of 2^(4+4) bits).
const maxRules = 4

type program[T any] struct {
	tables
	rules []*Rule[T]
}

// tables is the part of a program that does not depend on T.
type tables struct {
	need     uint      // request facts the expression reads (bSafe, bModel)
	perm     uint16    // request check, by request facts
	objConst uint16    // by request facts: the object check ignores the rules
	objVal   uint16    // by request facts, where objConst: its value
	obj      [4]uint64 // object check, by request facts | rule answers << 4
	msgs     bool      // a rule has a message: denials take the tree for it
}

// sym is an expression over request facts and rule answers.
type sym struct {
	op   opKind
	leaf func(b uint) bool // request check of a built-in; nil for op nodes and rules
	rule int               // rule index + 1; 0 when not a rule
	a, b *sym
}

func (s *sym) perm(b uint) bool {
	switch {
	case s.leaf != nil:
		return s.leaf(b)
	case s.rule != 0:
		return true
	case s.op == opAnd:
		return s.a.perm(b) && s.b.perm(b)
	case s.op == opOr:
		return s.a.perm(b) || s.b.perm(b)
	}
	return !s.a.perm(b)
}

func (s *sym) obj(b uint) bool {
	switch {
	case s.leaf != nil:
		return true
	case s.rule != 0:
		return b>>(reqBits+s.rule-1)&1 != 0
	case s.op == opAnd:
		return s.a.obj(b) && s.b.obj(b)
	case s.op == opOr:
		return (s.a.perm(b) && s.a.obj(b)) || (s.b.perm(b) && s.b.obj(b))
	}
	return true
}

// compile returns n's program, or nil when n holds a class it cannot see
// through.
func compile[T any](n *node[T]) *program[T] {
	p := &program[T]{}
	s := p.symOf(n)
	if s == nil {
		return nil
	}
	k := uint(len(p.rules))
	for rb := uint(0); rb < 1<<reqBits; rb++ {
		if s.perm(rb) {
			p.perm |= 1 << rb
		}
		first := s.obj(rb)
		constant := true
		for ans := uint(0); ans < 1<<k; ans++ {
			idx := rb | ans<<reqBits
			v := s.obj(idx)
			if v {
				p.obj[idx>>6] |= 1 << (idx & 63)
			}
			if v != first {
				constant = false
			}
		}
		if constant {
			p.objConst |= 1 << rb
			if first {
				p.objVal |= 1 << rb
			}
		}
	}
	return p
}

func (p *program[T]) symOf(e evaluator[T]) *sym {
	leaf := func(f func(b uint) bool) *sym { return &sym{leaf: f} }
	switch x := e.(type) {
	case *node[T]:
		a := p.symOf(x.a)
		if a == nil {
			return nil
		}
		if x.op == opNot {
			return &sym{op: opNot, a: a}
		}
		b := p.symOf(x.b)
		if b == nil {
			return nil
		}
		return &sym{op: x.op, a: a, b: b}
	case AllowAny[T]:
		return leaf(func(uint) bool { return true })
	case IsAuthenticated[T]:
		return leaf(func(b uint) bool { return b&bAuth != 0 })
	case IsAdminUser[T]:
		return leaf(func(b uint) bool { return b&bStaff != 0 })
	case IsAuthenticatedOrReadOnly[T]:
		p.need |= bSafe
		return leaf(func(b uint) bool { return b&(bSafe|bAuth) != 0 })
	case ReadOnly[T]:
		p.need |= bSafe
		return leaf(func(b uint) bool { return b&bSafe != 0 })
	case DjangoModelPermissions[T]:
		p.need |= bModel
		return leaf(func(b uint) bool { return b&bModel != 0 })
	case Rule[T]:
		if len(p.rules) == maxRules {
			return nil
		}
		p.rules = append(p.rules, &x)
		if x.msg != "" {
			p.msgs = true
		}
		return &sym{rule: len(p.rules)}
	}
	return nil
}

// facts computes the request facts the program reads. It is kept small
// enough to inline.
func (p *tables) facts(req *Request) uint {
	var b uint
	if p.need&bSafe != 0 && req.SafeMethod() {
		b = bSafe
	}
	if u := req.User; u != nil && u.IsActive {
		b |= bAuth
		if u.IsStaff {
			b |= bStaff
		}
		if p.need&bModel != 0 {
			b |= modelFact(req)
		}
	}
	return b
}

func modelFact(req *Request) uint {
	if modelPerm(req) {
		return bModel
	}
	return 0
}

// checkFinal is the request check: allowed, and whether the answer is final
// (a denial with messages to find is not).
func (p *program[T]) checkFinal(req *Request) (ok, final bool) {
	if p.perm>>p.facts(req)&1 != 0 {
		return true, true
	}
	return false, !p.msgs
}

// checkObject is the object check, as checkFinal.
func (p *program[T]) checkObject(req *Request, obj *T) (ok, final bool) {
	b := p.facts(req)
	if p.objConst>>b&1 != 0 {
		if p.objVal>>b&1 != 0 {
			return true, true
		}
		return false, !p.msgs
	}
	for i, r := range p.rules {
		if r.allows(req.User, obj) {
			b |= 1 << (reqBits + uint(i))
		}
	}
	if p.obj[b>>6]>>(b&63)&1 != 0 {
		return true, true
	}
	return false, !p.msgs
}
