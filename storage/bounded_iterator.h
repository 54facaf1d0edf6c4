// storage/bounded_iterator.h: a RocksDB iterator over the keys in [lower, upper) of one column
// family, bounded on both sides: a seek never steps over keys outside them (other partitions'
// or streams', or the tombstones that deleted topics left behind: without the lower bound, a
// new topic's SeekForPrev walked back over all of them).
//
//   BoundedIterator it(cfs, cfs.log, prefix, upper);
//   for (it->Seek(prefix); it->Valid(); it->Next()) { ... }
//
// Thread-safety: one object per thread; it reads the column family as it was when made.
#pragma once

#include <memory>
#include <string>

#include "rocksdb/db.h"
#include "storage/column_families.h"

namespace brook::storage {

class BoundedIterator {
 public:
  BoundedIterator(const ColumnFamilies& cfs, rocksdb::ColumnFamilyHandle* cf, std::string lower,
                  std::string upper, bool verify_checksums = true)
      : lower_(std::move(lower)),
        upper_(std::move(upper)),
        lower_slice_(lower_),
        upper_slice_(upper_) {
    rocksdb::ReadOptions options;
    options.iterate_lower_bound = &lower_slice_;
    options.iterate_upper_bound = &upper_slice_;
    options.verify_checksums = verify_checksums;
    it_.reset(cfs.db->NewIterator(options, cf));
  }
  BoundedIterator(const BoundedIterator&) = delete;  // The bounds' slices point into it.
  BoundedIterator& operator=(const BoundedIterator&) = delete;

  rocksdb::Iterator* operator->() const { return it_.get(); }

 private:
  const std::string lower_;
  const std::string upper_;
  const rocksdb::Slice lower_slice_;
  const rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace brook::storage
