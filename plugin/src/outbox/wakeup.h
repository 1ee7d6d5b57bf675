#pragma once
// What a service tells the outbox after it wrote messages: "there is work now". The relay
// implements it; services receive it in their constructor.

namespace boligflyt::outbox {

class Wakeup {
 public:
  virtual ~Wakeup() = default;
  /// Cheap and non-blocking; may be called from any thread, any number of times.
  virtual void wake() = 0;
};

}  // namespace boligflyt::outbox
