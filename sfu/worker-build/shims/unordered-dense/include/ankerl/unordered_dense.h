/*
 * Stand-in for ankerl::unordered_dense 4.x, built on the standard library,
 * because Debian bookworm does not package it. mediasoup's worker only uses
 * unordered_dense::map, ::set and ::hash<T> (integers, enums, pointers and
 * std::string), with operations std::unordered_map/set share (find, contains,
 * emplace, try_emplace, insert, erase, at, operator[], size, reserve...);
 * anything else would fail to compile rather than misbehave.
 *
 * Differences that do not affect correctness: std containers keep references
 * valid across inserts and erases (a stronger guarantee than unordered_dense),
 * iterate in a different order, and are somewhat slower on hot lookups.
 */
#ifndef PREAU_ANKERL_UNORDERED_DENSE_SHIM_H
#define PREAU_ANKERL_UNORDERED_DENSE_SHIM_H

#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#define ANKERL_UNORDERED_DENSE_VERSION_MAJOR 4
#define ANKERL_UNORDERED_DENSE_VERSION_MINOR 8
#define ANKERL_UNORDERED_DENSE_VERSION_PATCH 1

namespace ankerl::unordered_dense
{
	template<class T, class Enable = void>
	struct hash : std::hash<T>
	{
	};

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<
	  class Key,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
