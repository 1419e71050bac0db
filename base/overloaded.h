#pragma once

namespace dxledger {

// std::visit with one lambda per alternative:
//   std::visit(Overloaded{[](const A&) {...}, [](const B&) {...}}, v);
template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};

// Clang before 17 does not deduce aggregate template arguments (P1816).
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace dxledger
